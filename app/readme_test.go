package main

import (
	"os"
	"strings"
	"testing"

	"github.com/together-bot/together/core/config"
)

// TestREADMEListsEverySettingAndCommand keeps the README's two tables whole:
// every configuration variable, and every subcommand of the binary.
func TestREADMEListsEverySettingAndCommand(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var tableRows []string
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "| `") {
			tableRows = append(tableRows, l)
		}
	}
	rows := strings.Join(tableRows, "\n")
	for _, v := range config.Vars {
		if !strings.Contains(rows, "`"+v.Name+"`") {
			t.Errorf("README's configuration table misses %s", v.Name)
		}
	}
	for name := range subcommands {
		if !strings.Contains(rows, "`app "+name) {
			t.Errorf("README's operator table misses `app %s`", name)
		}
	}
}
