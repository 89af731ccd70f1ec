//! The `sessiondesk` command: serve, migrate, create-user, seed, generate-key.

use std::io::Read;

use anyhow::Context;
use clap::{Parser, Subcommand};
use sessiondesk::config::{self, Config};
use sessiondesk::domain::actor::Actor;
use sessiondesk::domain::kinds::Role;
use sessiondesk::service::{passwords, users};
use sessiondesk::startup::Application;
use sessiondesk::{db, demo, seed, telemetry};

/// Rust's own allocations go to mimalloc: a queue page makes thousands of small strings,
/// and glibc's malloc spent a fifth of the server's time on them, contending on its arena
/// lock besides. Its settings are in [`PROCESS_DEFAULTS`].
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Settings read once, as the process loads, before `main`; each applies unless the
/// operator set it.
///
/// - Tesseract (Debian's build) spreads each read over OpenMP threads, which on a server
///   reading photos side by side only oversubscribes the cores (a photo took 1.8 s instead
///   of 0.4 s on two cores): `OMP_THREAD_LIMIT=1`.
/// - mimalloc: no transparent huge pages (each thread's first touch otherwise made 2 MiB
///   resident: 112 MB under the benchmark instead of 43 MB), memory committed as it is
///   used, and freed pages handed back at once (a password check's 7 MiB no longer stays).
/// - glibc's allocator, which libpq and Tesseract still use: blocks of 1 MiB and more are
///   mapped on their own and handed back when freed, and two arenas for two cores.
const PROCESS_DEFAULTS: &[(&str, &str)] = &[
    ("OMP_THREAD_LIMIT", "1"),
    ("MIMALLOC_ALLOW_THP", "0"),
    ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
    ("MIMALLOC_PURGE_DELAY", "0"),
    (
        "GLIBC_TUNABLES",
        "glibc.malloc.mmap_threshold=1048576:glibc.malloc.arena_max=2",
    ),
];

/// When one of [`PROCESS_DEFAULTS`] is unset, the process starts itself again with it set.
fn settle_process_env() -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let missing: Vec<_> = PROCESS_DEFAULTS
        .iter()
        .filter(|(name, _)| std::env::var_os(name).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let exe = std::env::current_exe().context("finding this program to restart it")?;
    let mut again = std::process::Command::new(exe);
    again.args(std::env::args_os().skip(1));
    for (name, value) in missing {
        again.env(name, value);
    }
    let error = again.exec();
    Err(error).context("restarting with its process settings")
}

#[derive(Parser)]
#[command(
    name = "sessiondesk",
    version,
    about = "Session Desk: a self-hosted identity-verification case system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run pending migrations, then serve the dashboard and the API.
    Serve {
        /// Also load demo data and (re)create the demo reviewer, manager and admin.
        #[arg(long)]
        demo: bool,
    },
    /// Create the database if needed and run pending migrations.
    Migrate,
    /// Create a dashboard user; prints a generated password unless one is read from stdin.
    CreateUser {
        /// Sign-in name (lower case letters, digits, '.', '_', '-').
        #[arg(long)]
        username: String,
        /// reviewer, manager or admin.
        #[arg(long)]
        role: String,
        /// Name shown in the dashboard; defaults to the username.
        #[arg(long, default_value = "")]
        display_name: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Load realistic sessions in bulk, for benchmarks.
    Seed {
        /// How many sessions to add.
        #[arg(long)]
        sessions: u64,
    },
    /// Print a new random SESSION_KEY.
    GenerateKey,
    /// Write a photo of the README walk-through's passport (a made-up Anna Maria Eriksson),
    /// to try the API with the photo alone.
    SamplePassport {
        /// Where to write the PNG.
        #[arg(long, default_value = "passport-front.png")]
        out: std::path::PathBuf,
    },
    /// Show how Postgres runs the query behind a queue URL (EXPLAIN ANALYZE).
    ExplainQueue {
        /// The queue's query string, as in /sessions?status=completed&q=anna.
        #[arg(long, default_value = "")]
        query: String,
    },
}

fn main() -> anyhow::Result<()> {
    settle_process_env()?;
    let cli = Cli::parse();
    match &cli.command {
        Command::GenerateKey => {
            println!("{}", config::generate_session_key());
            return Ok(());
        }
        Command::SamplePassport { out } => {
            std::fs::write(out, demo::images::sample_passport_png())
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!("wrote {}", out.display());
            return Ok(());
        }
        _ => {}
    }
    let config = Config::from_env()?;
    telemetry::init(config.log_json);
    match cli.command {
        Command::Serve { demo } => serve(config, demo),
        Command::Migrate => {
            prepare(&config)?;
            Ok(())
        }
        Command::CreateUser {
            username,
            role,
            display_name,
            password_stdin,
        } => create_user(&config, username, role, display_name, password_stdin),
        Command::Seed { sessions } => {
            prepare(&config)?;
            seed::generate(&config.database_url, sessions)
        }
        Command::GenerateKey | Command::SamplePassport { .. } => Ok(()),
        Command::ExplainQueue { query } => {
            let mut conn =
                db::connect_with_retry(&config.database_url, std::time::Duration::from_secs(10))?;
            for line in sessiondesk::web::sessions::explain::explain(&mut conn, &query)? {
                println!("{line}");
            }
            Ok(())
        }
    }
}

/// Creates the database if needed and applies pending migrations.
fn prepare(config: &Config) -> anyhow::Result<()> {
    let patience = std::time::Duration::from_secs(30);
    let deadline = std::time::Instant::now() + patience;
    loop {
        match db::ensure_database(&config.database_url) {
            Ok(()) => break,
            Err(e) if std::time::Instant::now() < deadline => {
                tracing::warn!(error = %e, "Postgres is not answering yet; retrying");
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            Err(e) => return Err(e),
        }
    }
    let mut conn = db::connect_with_retry(&config.database_url, patience)?;
    let applied = db::migrate(&mut conn)?;
    for version in &applied {
        tracing::info!(%version, "applied migration");
    }
    Ok(())
}

fn serve(config: Config, with_demo: bool) -> anyhow::Result<()> {
    prepare(&config)?;
    if config.session_key_generated {
        tracing::warn!(
            "SESSION_KEY is not set: a random key was generated, so dashboard sign-ins will not survive a restart. \
             Set SESSION_KEY (see `sessiondesk generate-key`)."
        );
    }
    if !config.cookie_secure {
        tracing::warn!("COOKIE_SECURE=false: the session cookie is sent over plain HTTP");
    }
    if with_demo {
        let mut conn =
            db::connect_with_retry(&config.database_url, std::time::Duration::from_secs(10))?;
        let logins = demo::load(&mut conn, &config)?;
        println!(
            "\nDemo sign-ins (passwords are shown this once; `serve --demo` again makes new ones):"
        );
        for login in &logins {
            println!(
                "  {:<9} {:<10} password: {}",
                login.role, login.username, login.password
            );
        }
        println!();
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config.clone())?;
        let host = config
            .bind
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or("127.0.0.1");
        tracing::info!("Session Desk listening on http://{}:{}", host, app.port());
        app.run_until_stopped().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

fn create_user(
    config: &Config,
    username: String,
    role: String,
    display_name: String,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let role: Role = role.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    let (password, generated) = if password_stdin {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .context("cannot read the password from stdin")?;
        (input.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (passwords::generate(20), true)
    };
    prepare(config)?;
    let mut conn =
        db::connect_with_retry(&config.database_url, std::time::Duration::from_secs(10))?;
    let input = users::NewUserInput {
        username,
        display_name,
        role,
        password: password.clone(),
    };
    let user =
        users::create(&mut conn, &input, Actor::System).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "created {} ({}) with role {}",
        user.username, user.display_name, user.role
    );
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(())
}
