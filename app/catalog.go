package main

import "github.com/together-bot/together/core/module"

// descriptors lists every feature module compiled into this binary.
var descriptors = []module.Descriptor{}

func catalog() (*module.Catalog, error) { return module.NewCatalog(descriptors...) }
