// Package hall is the monthly hall of fame (issue 10): one live card per
// guild and month in the hall channel, ranking pairs per category, naming
// only pairs whose two members both opted in.
//
// # Categories
//
// hall owns the extension point hallapi.Categories: duel, raid and any
// future module contribute a hallapi.Category with a read function
// returning points per pair for a period. hall imports none of them; a
// category shows while its module is deployed (contributed) and on in the
// guild.
//
// # The card
//
// The card is a core/projection dashboard (kind hall.card, key
// "<guild>:<YYYY-MM>"). While the month runs it is rendered from the
// categories and refreshed when a contributor calls hallapi.Request in its
// transaction, when consent changes, when a category is switched, and at
// least hourly. When the month ends in the guild's timezone the
// standings are frozen into hall tables exactly once, and the next month's
// card starts where this one ended.
//
// docs/modules/hall.md describes the behaviour for staff and operators.
package hall
