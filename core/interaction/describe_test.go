package interaction_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/disgoorg/disgo/discord"

	"github.com/together-bot/together/core/i18n"
	"github.com/together-bot/together/core/interaction"
)

// TestDescriberDefinesFromTheCatalog: every part of a definition built by
// Describer carries its English description and Russian localization, and
// options keep their limits.
func TestDescriberDefinesFromTheCatalog(t *testing.T) {
	t.Parallel()
	texts, err := i18n.NewBundle(nil, i18n.Catalog{Module: "demo", Messages: map[string]map[string]string{
		i18n.EN: {"demo.cmd": "Demo", "demo.sub": "A sub", "demo.group": "A group", "demo.text": "Text", "demo.n": "Number",
			"demo.ch": "Channel", "demo.who": "Member"},
		i18n.RU: {"demo.cmd": "Демо", "demo.sub": "Подкоманда", "demo.group": "Группа", "demo.text": "Текст", "demo.n": "Число",
			"demo.ch": "Канал", "demo.who": "Участник"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	d := interaction.Describer{Bundle: texts}
	def := d.Slash("demo", "demo.cmd",
		d.Sub("one", "demo.sub",
			d.String("text", "demo.text", true, 2, 40),
			d.Int("n", "demo.n", false, 1, interaction.MaxInteger),
			d.Channel("where", "demo.ch", true, discord.ChannelTypeGuildText),
			d.User("who", "demo.who", false)),
		d.Group("more", "demo.group", d.Sub("two", "demo.sub")))
	raw, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Name, Description string
		Loc               map[string]string `json:"description_localizations"`
		Options           []struct {
			Name, Description string
			Loc               map[string]string `json:"description_localizations"`
			Options           []struct {
				Name, Description string
				Loc               map[string]string `json:"description_localizations"`
				Required          bool
				MinLength         *int   `json:"min_length"`
				MaxLength         *int   `json:"max_length"`
				MinValue          *int   `json:"min_value"`
				MaxValue          *int64 `json:"max_value"`
				ChannelTypes      []int  `json:"channel_types"`
			}
		}
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != "demo" || got.Description != "Demo" || got.Loc["ru"] != "Демо" || len(got.Options) != 2 {
		t.Fatalf("command %s", raw)
	}
	one, more := got.Options[0], got.Options[1]
	if one.Description != "A sub" || one.Loc["ru"] != "Подкоманда" || more.Description != "A group" || more.Loc["ru"] != "Группа" ||
		len(more.Options) != 1 || more.Options[0].Description != "A sub" {
		t.Fatalf("subcommands %s", raw)
	}
	if len(one.Options) != 4 {
		t.Fatalf("options %s", raw)
	}
	text, n, where, who := one.Options[0], one.Options[1], one.Options[2], one.Options[3]
	for _, o := range one.Options {
		if o.Description == "" || o.Loc["ru"] == "" {
			t.Fatalf("option %q undescribed: %s", o.Name, raw)
		}
	}
	switch {
	case !text.Required || *text.MinLength != 2 || *text.MaxLength != 40:
		t.Fatalf("text option %s", raw)
	case n.Required || *n.MinValue != 1 || *n.MaxValue != interaction.MaxInteger:
		t.Fatalf("integer option %s", raw)
	case !where.Required || len(where.ChannelTypes) != 1 || where.ChannelTypes[0] != int(discord.ChannelTypeGuildText):
		t.Fatalf("channel option %s", raw)
	case who.Required || who.Description != "Member":
		t.Fatalf("member option %s", raw)
	}
}

// TestDescriberChoices: a choice is named from the catalog in every language
// and cut to Discord's 100 characters; Bool, Role and Choices carry their
// description and whether they are required.
func TestDescriberChoices(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ж", 120)
	texts, err := i18n.NewBundle(nil, i18n.Catalog{Module: "demo", Messages: map[string]map[string]string{
		i18n.EN: {"demo.pick": "Pick", "demo.a": "First", "demo.b": strings.Repeat("b", 120), "demo.flag": "Flag", "demo.role": "Role"},
		i18n.RU: {"demo.pick": "Выбор", "demo.a": "Первый", "demo.b": long, "demo.flag": "Флаг", "demo.role": "Роль"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	d := interaction.Describer{Bundle: texts}
	pick := d.Choices("pick", "demo.pick", true, d.Choice("demo.a", "a"), d.Choice("demo.b", "b"))
	if pick.Description != "Pick" || pick.DescriptionLocalizations[discord.LocaleRussian] != "Выбор" || !pick.Required || len(pick.Choices) != 2 {
		t.Fatalf("choices option: %+v", pick)
	}
	a, b := pick.Choices[0], pick.Choices[1]
	if a.Name != "First" || a.NameLocalizations[discord.LocaleRussian] != "Первый" || a.Value != "a" {
		t.Fatalf("first choice: %+v", a)
	}
	if len([]rune(b.Name)) != 100 || len([]rune(b.NameLocalizations[discord.LocaleRussian])) != 100 {
		t.Fatalf("long choice not cut to 100 characters: %d / %d", len([]rune(b.Name)), len([]rune(b.NameLocalizations[discord.LocaleRussian])))
	}
	flag, role := d.Bool("flag", "demo.flag", true), d.Role("role", "demo.role", false)
	if flag.Description != "Flag" || !flag.Required || role.DescriptionLocalizations[discord.LocaleRussian] != "Роль" || role.Required {
		t.Fatalf("bool %+v, role %+v", flag, role)
	}
}
