package specvalidate

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// modal checks the data of a MODAL interaction callback.
func (c *checker) modal(d map[string]any, at string) {
	c.between(d["custom_id"], at+"/custom_id", minCustomID, maxCustomID)
	c.between(d["title"], at+"/title", 1, maxModalTitle)
	components, _ := d["components"].([]any)
	c.itemsBetween(components, at+"/components", minModalComponents, maxModalComponents)
	c.components(components, at+"/components", map[string]bool{})
}

// components checks a list of components and, recursively, their children.
// ids collects custom_ids to detect duplicates across the whole message.
func (c *checker) components(list []any, at string, ids map[string]bool) {
	for i, comp := range list {
		if comp, ok := comp.(map[string]any); ok {
			c.component(comp, at+"/"+strconv.Itoa(i), ids)
		}
	}
}

func (c *checker) component(comp map[string]any, at string, ids map[string]bool) {
	if id, ok := comp["custom_id"].(string); ok {
		c.between(id, at+"/custom_id", minCustomID, maxCustomID)
		if ids[id] {
			c.add(at+"/custom_id", CodeDuplicateCustomID, "Component custom id cannot be duplicated")
		}
		ids[id] = true
	}
	t, _ := intOf(comp["type"])
	switch t {
	case typeActionRow:
		c.actionRow(comp, at)
	case typeStringSelect:
		options, _ := comp["options"].([]any)
		c.itemsBetween(options, at+"/options", 1, maxSelectOptions)
		for j, opt := range options {
			opt, _ := opt.(map[string]any)
			p := at + "/options/" + strconv.Itoa(j)
			c.between(opt["label"], p+"/label", 1, maxOptionText)
			c.between(opt["value"], p+"/value", 1, maxOptionText)
			c.maxLen(opt["description"], p+"/description", maxOptionText)
		}
	case typeTextInput:
		c.between(comp["label"], at+"/label", 1, maxInputLabel)
		c.intRange(comp["max_length"], at+"/max_length", 1, maxInputLength)
		c.intRange(comp["min_length"], at+"/min_length", 0, maxInputLength)
	case typeLabel:
		c.between(comp["label"], at+"/label", 1, maxInputLabel)
	}
	children, _ := comp["components"].([]any)
	c.components(children, at+"/components", ids)
	for _, single := range []string{"accessory", "component"} {
		if child, ok := comp[single].(map[string]any); ok {
			c.component(child, at+"/"+single, ids)
		}
	}
}

func (c *checker) actionRow(row map[string]any, at string) {
	children, _ := row["components"].([]any)
	buttons, selects := 0, 0
	for _, child := range children {
		child, _ := child.(map[string]any)
		switch t, _ := intOf(child["type"]); t {
		case typeButton:
			buttons++
		case typeStringSelect, typeUserSelect, typeRoleSelect, typeMentionableSelect, typeChannelSelect:
			selects++
		}
	}
	if buttons > maxButtonsPerRow {
		c.add(at+"/components", CodeBadLength, fmt.Sprintf("Must be between 1 and %d in length.", maxButtonsPerRow))
	}
	if selects > 0 && len(children) > 1 {
		c.add(at+"/components", CodeLayoutWidth, "The specified component exceeds the maximum width")
	}
}

func (c *checker) intRange(v any, ptr string, min, max int64) {
	n, ok := intOf(v)
	if !ok {
		return
	}
	if n < min {
		c.add(ptr, CodeNumberMin, fmt.Sprintf("Value should be greater than or equal to %d.", min))
	}
	if n > max {
		c.add(ptr, CodeNumberMax, fmt.Sprintf("Value should be less than or equal to %d.", max))
	}
}

// countComponents counts components recursively, children and accessories
// included, as Discord does for the Components V2 limit.
func countComponents(list []any) int {
	n := 0
	walkComponents(list, func(map[string]any) { n++ })
	return n
}

// textDisplayLength sums the characters of every text display.
func textDisplayLength(list []any) int {
	n := 0
	walkComponents(list, func(comp map[string]any) {
		if t, _ := intOf(comp["type"]); t == typeTextDisplay {
			if s, ok := comp["content"].(string); ok {
				n += utf8.RuneCountInString(s)
			}
		}
	})
	return n
}

func walkComponents(list []any, visit func(map[string]any)) {
	for _, comp := range list {
		comp, ok := comp.(map[string]any)
		if !ok {
			continue
		}
		visit(comp)
		children, _ := comp["components"].([]any)
		walkComponents(children, visit)
		for _, single := range []string{"accessory", "component"} {
			if child, ok := comp[single]; ok {
				walkComponents([]any{child}, visit)
			}
		}
	}
}
