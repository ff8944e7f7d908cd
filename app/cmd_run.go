package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"go.uber.org/fx"

	"github.com/together-bot/together/core/config"
	"github.com/together-bot/together/core/interaction"
	"github.com/together-bot/together/core/runtime"
	"github.com/together-bot/together/discordsim"
)

func init() {
	register("run", "run the bot (migrates first unless --no-migrate; --sim runs it against the built-in Discord emulator)", cmdRun)
}

// errNoToken explains the two ways to run; an empty token never silently means "fake Discord".
var errNoToken = usagef("DISCORD_TOKEN is not set: give the bot's token, or run against the built-in Discord emulator with `app run --sim` (what `make run` does when DISCORD_TOKEN is unset)")

func cmdRun(ctx context.Context, env *environment, args []string) error {
	s := newFlags("run", env.stderr)
	noMigrate := s.fs.Bool("no-migrate", false, "skip migrations at start")
	sim := s.fs.Bool("sim", false, "run against the built-in Discord emulator (seeded with a demo guild) instead of Discord")
	if err := s.parse(args); err != nil {
		return ignoreHelp(err)
	}
	cfg, err := s.load(env)
	if err != nil {
		return err
	}
	sel, err := selectModules(cfg)
	if err != nil {
		return err
	}
	log := newLogger(env, cfg)
	if cfg.DatabaseURL == "" {
		return usagef("DATABASE_URL is not set (use `make run`, which starts a local Postgres)")
	}
	switch {
	case *sim && cfg.DiscordToken != "":
		return usagef("--sim runs the built-in Discord emulator with its own token: unset DISCORD_TOKEN, or drop --sim to use Discord")
	case !*sim && cfg.DiscordToken == "":
		return errNoToken
	case *sim && len(cfg.DiscordPublicKey) != 0:
		return usagef("--sim signs interactions with the emulator's own key: unset DISCORD_PUBLIC_KEY, or drop --sim to use Discord")
	case !*sim:
		if err := cfg.CheckInteractions(); err != nil {
			return settingError(err)
		}
	}
	requested := cfg.Modules
	if len(requested) == 0 {
		requested = sel.Names()
	}
	log.Info(sel.Summary(requested), "config", cfg.String())
	if err := runtime.CheckDatabase(ctx, cfg.DatabaseURL, log); err != nil {
		return settingError(err)
	}
	var emulator *discordsim.Server
	var demo *discordsim.DemoGuild
	if *sim {
		emulator, demo, err = startSim(discordsim.Options{Logger: log}, true)
		if err != nil {
			return err
		}
		defer emulator.Close()
		cfg.DiscordToken, cfg.DiscordAPIURL = emulator.Token(), emulator.APIURL()
		if cfg.InteractionsAddr != "" {
			if cfg.DiscordPublicKey, err = hex.DecodeString(emulator.PublicKey()); err != nil {
				return fmt.Errorf("emulator public key: %w", err)
			}
		}
	}
	if err := runtime.CheckDiscord(ctx, cfg, log); err != nil {
		return settingError(err)
	}
	app := fx.New(runtime.Options(runtime.Params{Config: cfg, Selection: sel, Logger: log, Version: version, NoMigrate: *noMigrate, SyncCommands: true}))
	if err := app.Err(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	startCtx, cancel := context.WithTimeout(ctx, app.StartTimeout())
	defer cancel()
	if err := app.Start(startCtx); err != nil {
		if se := settingError(err); se != err {
			return se
		}
		return fmt.Errorf("start: %w", err)
	}
	if emulator != nil && cfg.InteractionsAddr != "" {
		// As in the Developer Portal: the emulator PINGs the endpoint, then
		// sends interactions there instead of over the gateway.
		if _, err := emulator.SetInteractionsEndpoint(ctx, interactionsURL(cfg)); err != nil {
			_ = app.Stop(context.Background())
			return fmt.Errorf("emulator: %w", err)
		}
	}
	log.Info("bot running", "version", version)
	printStarted(env.stdout, cfg, emulator, demo, log)
	<-ctx.Done()
	log.Info("shutting down")
	stopCtx, cancelStop := context.WithTimeout(context.Background(), app.StopTimeout())
	defer cancelStop()
	return app.Stop(stopCtx)
}

// settingError turns a start-up check's verdict on one setting into a usage
// error (exit 2) whose message names the setting; other errors pass through.
func settingError(err error) error {
	var fe *config.FieldError
	if errors.As(err, &fe) {
		return usagef("%s", fe.Error())
	}
	return err
}

// printStarted prints what a person needs next, as lines they can paste into
// another shell: the emulator's variables (docs/emulator.md's walkthrough uses
// exactly these), the health and metrics URLs, and how to stop.
func printStarted(w io.Writer, cfg *config.Config, emulator *discordsim.Server, demo *discordsim.DemoGuild, log *slog.Logger) {
	httpBase := "http://" + reachableAddr(cfg.HTTPAddr)
	fmt.Fprintln(w, "together is running. Paste these lines into another shell:")
	fmt.Fprintln(w)
	if emulator != nil {
		fmt.Fprintln(w, "# the built-in Discord emulator (docs/emulator.md) and the bot's token on it")
		fmt.Fprintf(w, "export SIM=%s\n", emulator.URL())
		fmt.Fprintf(w, "export TOKEN=%s\n", emulator.Token())
		// The browser playground, in emulators that serve one.
		if p, ok := any(emulator).(interface{ PlaygroundURL() string }); ok {
			fmt.Fprintf(w, "# the browser playground: %s\n", p.PlaygroundURL())
		}
		if demo != nil {
			fmt.Fprintln(w, "# the demo guild: its channels, and its members by name")
			fmt.Fprintf(w, "export GID=%s CAT=%s GEN=%s LOBBY=%s DUELS=%s\n", demo.GuildID, demo.CategoryID,
				demo.ChannelIDs["general"], demo.ChannelIDs["lobby"], demo.ChannelIDs["duels"])
			members := []string{"OWNER=" + demo.OwnerID, "ADMIN=" + demo.AdminID}
			for _, id := range demo.MemberIDs {
				name, err := username(emulator, id)
				if err != nil {
					log.Warn("cannot read a demo member's name", "user_id", id, "error", err)
					continue
				}
				members = append(members, shellName(name)+"="+id)
			}
			fmt.Fprintf(w, "export %s\n", strings.Join(members, " "))
		}
	}
	if cfg.InteractionsAddr != "" {
		fmt.Fprintln(w, "# the HTTP interactions endpoint (Interactions Endpoint URL), verified with DISCORD_PUBLIC_KEY")
		fmt.Fprintf(w, "export INTERACTIONS=%s\n", interactionsURL(cfg))
	}
	fmt.Fprintln(w, "# health and metrics")
	fmt.Fprintf(w, "export HEALTH=%s/healthz METRICS=%s/metrics\n", httpBase, httpBase)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Check: curl -s $HEALTH")
	fmt.Fprintln(w, "Stop:  Ctrl-C (or SIGTERM) stops the bot. A Postgres started by make run keeps running; make pg-stop stops it.")
}

// interactionsURL is where the bot's interactions endpoint is reachable.
func interactionsURL(cfg *config.Config) string {
	return "http://" + reachableAddr(cfg.InteractionsAddr) + interaction.EndpointPath
}

// reachableAddr turns a listen address into one curl can reach: a listener on
// every interface is reachable on loopback.
func reachableAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil || (host != "" && host != "0.0.0.0" && host != "::") {
		return listen
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// username asks the emulator's REST API, as the bot would, for a user's name.
func username(emulator *discordsim.Server, userID string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, emulator.APIURL()+"/users/"+userID, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bot "+emulator.Token())
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("get user %s: %w", userID, err)
	}
	defer resp.Body.Close()
	var u struct {
		Username string `json:"username"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil || u.Username == "" {
		return "", fmt.Errorf("get user %s: status %d, no username", userID, resp.StatusCode)
	}
	return u.Username, nil
}

// shellName makes a user name into a shell variable name: "bob" → BOB.
func shellName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9' && b.Len() > 0) {
			b.WriteRune(r)
		} else if b.Len() > 0 {
			b.WriteByte('_')
		}
	}
	return b.String()
}
