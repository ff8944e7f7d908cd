package main

import (
	"github.com/together-bot/together/core/module"
	"github.com/together-bot/together/modules/duel"
	"github.com/together-bot/together/modules/hall"
	"github.com/together-bot/together/modules/oracle"
	"github.com/together-bot/together/modules/pairhome"
	"github.com/together-bot/together/modules/publicpost"
	"github.com/together-bot/together/modules/raid"
)

// descriptors lists every feature module compiled into this binary.
var descriptors = []module.Descriptor{
	pairhome.Descriptor,
	duel.Descriptor,
	hall.Descriptor,
	oracle.Descriptor,
	publicpost.Descriptor,
	raid.Descriptor,
}

func catalog() (*module.Catalog, error) { return module.NewCatalog(descriptors...) }
