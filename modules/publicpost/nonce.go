package publicpost

import "strconv"

// noncePrefix namespaces our nonces; Discord deduplicates per author and
// channel, so only this bot's own messages could ever collide.
const noncePrefix = "pp."

// Nonce is the Discord message nonce of a post: deterministic, so every
// attempt of one post (in any process) sends the same value, and at most
// 3 + 19 digits = 22 characters, within Discord's 25.
func Nonce(postID int64) string { return noncePrefix + strconv.FormatInt(postID, 10) }
