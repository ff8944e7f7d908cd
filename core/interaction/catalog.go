package interaction

import "github.com/together-bot/together/core/i18n"

// Catalog holds the router's own texts (module "core").
var Catalog = i18n.Catalog{Module: "core", Messages: map[string]map[string]string{
	i18n.EN: {
		"core.done":                 "Done.",
		"core.error.bad_id":         "This button or form is out of date or damaged. Run the command again to get a fresh one.",
		"core.error.unknown_action": "This action is no longer available.",
		"core.error.guild_only":     "This only works on a server.",
		"core.error.module_off":     "**{module}** is turned off on this server.",
		"core.error.no_channel":     "No **{module}** channel is set yet. An admin can choose one with /config channel.",
		"core.error.staff_only":     "Only administrators and the moderator role can do this.",
		"core.error.cooldown":       "Slow down — try again {when}.",
		"core.error.unavailable":    "The bot is temporarily unavailable. Please try again in a minute.",
		"core.error.internal":       "Something went wrong. If it keeps happening, tell an admin the reference `{ref}`.",
		"core.error.already_done":   "That was already done.",
	},
	i18n.RU: {
		"core.done":                 "Готово.",
		"core.error.bad_id":         "Эта кнопка или форма устарела или повреждена. Вызовите команду ещё раз.",
		"core.error.unknown_action": "Это действие больше недоступно.",
		"core.error.guild_only":     "Это работает только на сервере.",
		"core.error.module_off":     "Модуль **{module}** выключен на этом сервере.",
		"core.error.no_channel":     "Канал для модуля **{module}** ещё не задан. Администратор может выбрать его через /config channel.",
		"core.error.staff_only":     "Это могут делать только администраторы и роль модераторов.",
		"core.error.cooldown":       "Не так быстро — попробуйте снова {when}.",
		"core.error.unavailable":    "Бот временно недоступен. Попробуйте через минуту.",
		"core.error.internal":       "Что-то пошло не так. Если повторяется, сообщите администратору код `{ref}`.",
		"core.error.already_done":   "Это уже сделано.",
	},
}}
