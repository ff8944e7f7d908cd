// Package duel runs rounds of answers and votes between pairs (issue 7).
//
// Staff start a duel (/duel start) and rounds (/duel round start). A round
// posts its prompt in every active pair's room — one River job per room, so
// an unreachable room is retried and reported without holding up the
// others — and takes one answer per pair, which either member may replace
// until the deadline. Answers then go to an anonymous vote on the public
// scoreboard; members of pairs vote once each, never for their own pair.
// When voting closes the round is scored once: 1 point per answer plus 1
// per vote received.
//
// # Exactly once
//
// Phase changes are UPDATEs guarded by the phase they leave, under the
// round's row lock, and points are written in the same transaction; the
// close job is inserted with the transaction that opens the phase. So
// duplicate, redelivered or post-restart jobs are no-ops, and a crash can
// never leave a round without its close. A periodic sweep re-queues what
// the per-guild gate skipped while the module was off, once it is on again.
//
// # Neighbours
//
//   - core/projection renders the scoreboard (kind duel.board).
//   - pairhome supplies pairs and rooms (pairhomeapi.Pairs) and shows the
//     duel section on each pair's panel (pairhomeapi.Sections).
//   - the hall ranks pairs by duel points through duel's category
//     (hallapi.Categories) and redraws its card when a round is scored
//     (hallapi.Refresher, when hall is deployed).
//
// docs/modules/duel.md describes the behaviour for staff and operators.
package duel
