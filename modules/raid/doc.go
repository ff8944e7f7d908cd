// Package raid runs the weekly cooperative raid (issue 8): pairs complete
// small real-life quests, the partner confirms, and the points fill a
// server-wide goal shown on a live dashboard.
//
// # Week and day
//
// A raid lives for one guild-local week (Monday 00:00 to the next Monday
// 00:00 in the guild's zone, recorded when it starts). One frequent step
// (raid.step, every five minutes) first ends expired raids, then starts
// the current week's raid where raid is on and a raid channel is set, then
// re-renders boards whose local day changed and re-queues confirm prompts
// that were not delivered. Every part is guarded by state
// (WHERE status = 'active', one active raid per guild, one automatic raid
// per guild and week), so running it twice, on two replicas or after a
// missed week does the right thing.
//
// # Exact points
//
// A confirm locks the claim row, then the pair's ledger row for the
// claim's day (raid_pair_days), computes applied = least(points, cap -
// used) in SQL under that lock, and adds applied to the ledger, the claim
// and the raid with relative UPDATEs in the same transaction. So concurrent
// confirms for one pair queue on the ledger row and never exceed the cap,
// and the raid's progress is always the sum of applied points.
//
// # Neighbours
//
//   - core/projection renders the dashboard (kind raid.board).
//   - pairhome supplies pairs and rooms (pairhomeapi.Pairs) and shows the
//     raid section (point pairhomeapi.Sections).
//   - hall ranks confirmed points as raid's category (point
//     hallapi.Categories); a confirm asks it to refresh (hallapi.Refresher).
//
// docs/modules/raid.md describes the behaviour for staff and operators.
package raid
