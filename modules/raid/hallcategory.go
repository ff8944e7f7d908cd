package raid

import (
	"github.com/together-bot/together/modules/hall/hallapi"
)

// hallCategory is raid's column on the monthly hall of fame: confirmed quest
// points, as they counted against the daily cap.
func hallCategory(s *service) hallapi.Category {
	return hallapi.Category{Module: Name, Key: Name, NameKey: "raid.hall.category", Order: 20, Points: s.pointsByPair}
}
