package specvalidate

import (
	"fmt"
	"strconv"
)

// message checks a message body. isEdit marks bodies that update an
// existing message: when such a body omits flags, the message keeps its
// current flags, which a stateless validator cannot know, so only the
// checks valid in both component modes apply.
func (c *checker) message(m map[string]any, at string, isEdit bool) {
	flags, hasFlags := intOf(m["flags"])
	components, _ := m["components"].([]any)
	v2 := flags&flagComponentsV2 != 0
	legacy := !v2 && (hasFlags || !isEdit)

	if v2 {
		if s, _ := m["content"].(string); s != "" {
			c.add(at+"/content", CodeComponentsV2, "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
		}
		if e, _ := m["embeds"].([]any); len(e) > 0 {
			c.add(at+"/embeds", CodeComponentsV2, "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2")
		}
	}
	if legacy {
		c.maxItems(components, at+"/components", maxActionRows)
		for i, comp := range components {
			comp, _ := comp.(map[string]any)
			if t, ok := intOf(comp["type"]); ok && t != typeActionRow {
				c.add(at+"/components/"+strconv.Itoa(i)+"/type", CodeUnionTypeChoices,
					"Value of field \"type\" must be one of (1). Other top-level components need MessageFlags.IS_COMPONENTS_V2")
			}
		}
	}
	// The V2 totals hold in both modes: a legacy message has at most 5 rows
	// of 5 (30 components) and no text displays.
	if n := countComponents(components); n > maxComponentsV2 {
		c.add(at+"/components", CodeMaxLength, fmt.Sprintf("Must be %d or fewer in length (counting nested components, got %d).", maxComponentsV2, n))
	}
	if n := textDisplayLength(components); n > maxTextDisplayTotalV2 {
		c.add(at+"/components", CodeMaxLength, fmt.Sprintf("Text display content must be %d or fewer in length in total (got %d).", maxTextDisplayTotalV2, n))
	}
	c.maxLen(m["content"], at+"/content", maxContent)
	c.components(components, at+"/components", map[string]bool{})
	embeds, _ := m["embeds"].([]any)
	c.embeds(embeds, at+"/embeds")
}

func (c *checker) embeds(embeds []any, at string) {
	c.maxItems(embeds, at, maxEmbeds)
	total := 0
	for i, e := range embeds {
		e, ok := e.(map[string]any)
		if !ok {
			continue
		}
		p := at + "/" + strconv.Itoa(i)
		total += c.maxLen(e["title"], p+"/title", maxEmbedTitle)
		total += c.maxLen(e["description"], p+"/description", maxEmbedDescription)
		fields, _ := e["fields"].([]any)
		c.maxItems(fields, p+"/fields", maxEmbedFields)
		for j, f := range fields {
			f, _ := f.(map[string]any)
			fp := p + "/fields/" + strconv.Itoa(j)
			total += c.maxLen(f["name"], fp+"/name", maxFieldName)
			total += c.maxLen(f["value"], fp+"/value", maxFieldValue)
		}
		if footer, ok := e["footer"].(map[string]any); ok {
			total += c.maxLen(footer["text"], p+"/footer/text", maxFooterText)
		}
		if author, ok := e["author"].(map[string]any); ok {
			total += c.maxLen(author["name"], p+"/author/name", maxAuthorName)
		}
	}
	if total > maxEmbedTotal {
		c.add(at, CodeEmbedSize, fmt.Sprintf("Embed size exceeds maximum size of %d", maxEmbedTotal))
	}
}
