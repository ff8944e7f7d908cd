package pairhome

import "github.com/together-bot/together/core/i18n"

// catalog holds every text pairhome shows (point i18n.Catalogs).
var catalog = i18n.Catalog{Module: Name, Messages: map[string]map[string]string{
	i18n.EN: {
		"pairhome.purpose.category": "Pair rooms (category)",

		"pairhome.cmd.pair":                      "Pairs and their private rooms",
		"pairhome.cmd.create":                    "Pair two members and open their private room (staff)",
		"pairhome.cmd.create.member_a":           "First member",
		"pairhome.cmd.create.member_b":           "Second member",
		"pairhome.cmd.room":                      "Link to your pair's room",
		"pairhome.cmd.dissolve":                  "Dissolve your pair (both confirm), or a member's pair (staff)",
		"pairhome.cmd.dissolve.member":           "Staff: dissolve this member's pair right away",
		"pairhome.cmd.settings":                  "Pair room settings (staff)",
		"pairhome.setting.moderator_access":      "Moderators can see pair rooms",
		"pairhome.setting.archive_mode":          "A dissolved pair's room",
		"pairhome.cmd.settings.moderator_access": "Let the moderator role see pair rooms",
		"pairhome.cmd.settings.archive":          "What happens to the room of a dissolved pair",
		"pairhome.cmd.settings.archive.readonly": "Keep it read-only",
		"pairhome.cmd.settings.archive.delete":   "Delete it",

		"pairhome.room.topic": "Private room of {a} and {b}.",

		"pairhome.panel.title":       "## 🏠 Pair Home",
		"pairhome.panel.members":     "{a} & {b}",
		"pairhome.panel.empty":       "Nothing to do right now. Enjoy your time together!",
		"pairhome.panel.archived":    "This pair was dissolved. The room is read-only.",
		"pairhome.panel.archived_at": "This pair was dissolved on {when}. The room is read-only.",

		"pairhome.reply.created":          "Paired {a} and {b}. Their private room is being prepared and will appear in a moment.",
		"pairhome.reply.existing":         "{a} and {b} are already a pair. Their room: {room}",
		"pairhome.reply.existing_pending": "{a} and {b} are already a pair. Their room is still being prepared.",
		"pairhome.reply.your_room":        "Your pair room: {room}",
		"pairhome.reply.room_pending":     "Your pair room is being prepared. Try again in a moment.",
		"pairhome.reply.room_problem":     "Your pair room could not be created yet: {reason} The bot keeps trying.",
		"pairhome.reply.dissolve_confirm": "Dissolve your pair with {partner}? Both of you have to confirm within 48 hours. The room will be archived.",
		"pairhome.reply.dissolve_waiting": "Your consent is recorded. The pair is dissolved once {partner} confirms too.",
		"pairhome.reply.dissolve_request": "{user} wants to dissolve this pair. {partner}, press the button if you agree; nothing happens otherwise.",
		"pairhome.reply.dissolved":        "The pair of {a} and {b} is dissolved. Their room is being archived.",
		"pairhome.reply.settings":         "Moderator access to pair rooms: **{access}**. Rooms of dissolved pairs: **{mode}**.",
		"pairhome.value.on":               "on",
		"pairhome.value.off":              "off",
		"pairhome.value.readonly":         "kept read-only",
		"pairhome.value.delete":           "deleted",
		"pairhome.button.dissolve":        "Confirm: dissolve our pair",

		"pairhome.room_error.no_category": "the pair category is not configured.",
		"pairhome.room_error.forbidden":   "the bot lacks permissions in the pair category.",
		"pairhome.room_error.rejected":    "Discord refused the room.",

		"pairhome.error.self_pair":         "A member cannot be paired with themselves.",
		"pairhome.error.bot":               "Bots cannot be paired.",
		"pairhome.error.already_paired":    "{user} is already in a pair. Dissolve that pair first.",
		"pairhome.error.no_category":       "The pair room category is not configured yet. An admin can set it with /config.",
		"pairhome.error.not_member":        "Only the two members of this pair can do that.",
		"pairhome.error.no_pair":           "You are not in a pair on this server. Ask staff to pair you up.",
		"pairhome.error.not_active":        "This pair was already dissolved.",
		"pairhome.error.member_not_paired": "{user} is not in a pair.",
		"pairhome.error.not_a_member":      "{user} is not a member of this server.",
	},
	i18n.RU: {
		"pairhome.purpose.category": "Комнаты пар (категория)",

		"pairhome.cmd.pair":                      "Пары и их личные комнаты",
		"pairhome.cmd.create":                    "Создать пару из двух участников и открыть их комнату (модераторы)",
		"pairhome.cmd.create.member_a":           "Первый участник",
		"pairhome.cmd.create.member_b":           "Второй участник",
		"pairhome.cmd.room":                      "Ссылка на комнату вашей пары",
		"pairhome.cmd.dissolve":                  "Распустить вашу пару (подтверждают оба) или пару участника (модераторы)",
		"pairhome.cmd.dissolve.member":           "Модераторы: сразу распустить пару этого участника",
		"pairhome.cmd.settings":                  "Настройки комнат пар (модераторы)",
		"pairhome.setting.moderator_access":      "Модераторы видят комнаты пар",
		"pairhome.setting.archive_mode":          "Комната распавшейся пары",
		"pairhome.cmd.settings.moderator_access": "Разрешить роли модераторов видеть комнаты пар",
		"pairhome.cmd.settings.archive":          "Что делать с комнатой распущенной пары",
		"pairhome.cmd.settings.archive.readonly": "Оставить только для чтения",
		"pairhome.cmd.settings.archive.delete":   "Удалить",

		"pairhome.room.topic": "Личная комната {a} и {b}.",

		"pairhome.panel.title":       "## 🏠 Дом пары",
		"pairhome.panel.members":     "{a} и {b}",
		"pairhome.panel.empty":       "Пока делать ничего не нужно. Проведите время вместе!",
		"pairhome.panel.archived":    "Эта пара распущена. Комната доступна только для чтения.",
		"pairhome.panel.archived_at": "Эта пара распущена {when}. Комната доступна только для чтения.",

		"pairhome.reply.created":          "{a} и {b} теперь пара. Их личная комната готовится и скоро появится.",
		"pairhome.reply.existing":         "{a} и {b} уже пара. Их комната: {room}",
		"pairhome.reply.existing_pending": "{a} и {b} уже пара. Их комната ещё готовится.",
		"pairhome.reply.your_room":        "Комната вашей пары: {room}",
		"pairhome.reply.room_pending":     "Комната вашей пары готовится. Попробуйте чуть позже.",
		"pairhome.reply.room_problem":     "Комнату вашей пары пока не удалось создать: {reason} Бот продолжает попытки.",
		"pairhome.reply.dissolve_confirm": "Распустить вашу пару с {partner}? Подтвердить должны оба в течение 48 часов. Комната будет архивирована.",
		"pairhome.reply.dissolve_waiting": "Ваше согласие записано. Пара будет распущена, когда {partner} тоже подтвердит.",
		"pairhome.reply.dissolve_request": "{user} хочет распустить эту пару. {partner}, нажмите кнопку, если согласны; иначе ничего не изменится.",
		"pairhome.reply.dissolved":        "Пара {a} и {b} распущена. Их комната архивируется.",
		"pairhome.reply.settings":         "Доступ модераторов к комнатам пар: **{access}**. Комнаты распущенных пар: **{mode}**.",
		"pairhome.value.on":               "включён",
		"pairhome.value.off":              "выключен",
		"pairhome.value.readonly":         "остаются только для чтения",
		"pairhome.value.delete":           "удаляются",
		"pairhome.button.dissolve":        "Подтверждаю: распустить пару",

		"pairhome.room_error.no_category": "не настроена категория для комнат пар.",
		"pairhome.room_error.forbidden":   "у бота нет прав в категории комнат пар.",
		"pairhome.room_error.rejected":    "Discord отклонил создание комнаты.",

		"pairhome.error.self_pair":         "Нельзя создать пару участника с самим собой.",
		"pairhome.error.bot":               "Ботов нельзя объединять в пары.",
		"pairhome.error.already_paired":    "{user} уже состоит в паре. Сначала распустите ту пару.",
		"pairhome.error.no_category":       "Категория для комнат пар ещё не настроена. Администратор может задать её через /config.",
		"pairhome.error.not_member":        "Это могут сделать только участники этой пары.",
		"pairhome.error.no_pair":           "Вы не состоите в паре на этом сервере. Попросите модераторов создать вам пару.",
		"pairhome.error.not_active":        "Эта пара уже распущена.",
		"pairhome.error.member_not_paired": "{user} не состоит в паре.",
		"pairhome.error.not_a_member":      "{user} не состоит на этом сервере.",
	},
}}

// ru returns the Russian text of a key for Discord's localization maps
// (command definitions are built before any Bundle exists).
func ru(key string) string { return catalog.Messages[i18n.RU][key] }

// en returns the English (base) text of a key.
func en(key string) string { return catalog.Messages[i18n.EN][key] }
