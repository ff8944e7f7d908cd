package publicpost

import (
	"github.com/together-bot/together/core/i18n"
)

// Catalog holds every user-visible text of the module (i18n.Catalogs).
var Catalog = i18n.Catalog{Module: Name, Messages: map[string]map[string]string{
	i18n.EN: {
		"publicpost.cmd.post":             "Schedule messages in this server's channels",
		"publicpost.cmd.schedule":         "Schedule a message",
		"publicpost.cmd.schedule.channel": "Channel to post in",
		"publicpost.cmd.schedule.at":      "When: YYYY-MM-DD HH:MM or HH:MM (server time zone), or in 90m / in 2h",
		"publicpost.cmd.schedule.text":    "The message text",
		"publicpost.cmd.list":             "Show upcoming and failed posts",
		"publicpost.cmd.cancel":           "Cancel a pending post",
		"publicpost.cmd.cancel.id":        "Post number from /post list",

		"publicpost.reply.scheduled": "Post #{id} will be published in {channel} {when} ({at}).",
		"publicpost.reply.cancelled": "Post #{id} is cancelled.",

		"publicpost.list.title":  "**Scheduled posts**",
		"publicpost.list.empty":  "No upcoming or failed posts.",
		"publicpost.list.item":   "#{id} · {channel} · {when} · {status} · {preview}",
		"publicpost.list.failed": "#{id} · {channel} · failed: {error}",

		"publicpost.state.pending":    "pending",
		"publicpost.state.processing": "publishing",
		"publicpost.state.sent":       "sent",
		"publicpost.state.failed":     "failed",
		"publicpost.state.cancelled":  "cancelled",

		"publicpost.error.bad_when":        "I can't read `{input}` as a time. Use `YYYY-MM-DD HH:MM` or `HH:MM` (server time, {zone}), or `in 90m` / `in 2h`.",
		"publicpost.error.past":            "`{input}` has already passed (server time, {zone}).",
		"publicpost.error.too_far":         "Posts can be scheduled at most a year ahead.",
		"publicpost.error.bad_channel":     "Pick a text channel of this server.",
		"publicpost.error.not_found":       "There is no post #{id} on this server.",
		"publicpost.error.not_cancellable": "Post #{id} is {status} and can no longer be cancelled.",

		"publicpost.status.counts":       "Posts: {pending} pending, {processing} publishing, {sent} sent, {failed} failed.",
		"publicpost.status.held":         "⚠️ {count} due post(s) are held because publicpost is turned off; they go out when it is turned back on.",
		"publicpost.status.overdue":      "⚠️ {count} post(s) overdue since {since}: check the workers and `app posts list`.",
		"publicpost.status.last_failure": "Last failure: #{id}: {error}",
	},
	i18n.RU: {
		"publicpost.cmd.post":             "Отложенные сообщения в каналах сервера",
		"publicpost.cmd.schedule":         "Запланировать сообщение",
		"publicpost.cmd.schedule.channel": "Канал для публикации",
		"publicpost.cmd.schedule.at":      "Когда: ГГГГ-ММ-ДД ЧЧ:ММ или ЧЧ:ММ (время сервера), либо in 90m / in 2h",
		"publicpost.cmd.schedule.text":    "Текст сообщения",
		"publicpost.cmd.list":             "Показать запланированные и неудавшиеся публикации",
		"publicpost.cmd.cancel":           "Отменить запланированную публикацию",
		"publicpost.cmd.cancel.id":        "Номер публикации из /post list",

		"publicpost.reply.scheduled": "Публикация #{id} выйдет в {channel} {when} ({at}).",
		"publicpost.reply.cancelled": "Публикация #{id} отменена.",

		"publicpost.list.title":  "**Запланированные публикации**",
		"publicpost.list.empty":  "Нет запланированных или неудавшихся публикаций.",
		"publicpost.list.item":   "#{id} · {channel} · {when} · {status} · {preview}",
		"publicpost.list.failed": "#{id} · {channel} · ошибка: {error}",

		"publicpost.state.pending":    "ожидает",
		"publicpost.state.processing": "публикуется",
		"publicpost.state.sent":       "опубликована",
		"publicpost.state.failed":     "ошибка",
		"publicpost.state.cancelled":  "отменена",

		"publicpost.error.bad_when":        "Не понимаю время `{input}`. Используйте `ГГГГ-ММ-ДД ЧЧ:ММ` или `ЧЧ:ММ` (время сервера, {zone}), либо `in 90m` / `in 2h`.",
		"publicpost.error.past":            "`{input}` уже прошло (время сервера, {zone}).",
		"publicpost.error.too_far":         "Запланировать можно не больше чем на год вперёд.",
		"publicpost.error.bad_channel":     "Выберите текстовый канал этого сервера.",
		"publicpost.error.not_found":       "На этом сервере нет публикации #{id}.",
		"publicpost.error.not_cancellable": "Публикация #{id} в состоянии «{status}», отменить её уже нельзя.",

		"publicpost.status.counts":       "Публикации: ожидают {pending}, публикуются {processing}, опубликовано {sent}, с ошибкой {failed}.",
		"publicpost.status.held":         "⚠️ {count} публикаций удерживаются, потому что publicpost выключен; они выйдут, когда модуль включат.",
		"publicpost.status.overdue":      "⚠️ {count} публикаций просрочены с {since}: проверьте воркеры и `app posts list`.",
		"publicpost.status.last_failure": "Последняя ошибка: #{id}: {error}",
	},
}}
