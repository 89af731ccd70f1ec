//! `sessiondesk seed --sessions N`: bulk-loads realistic sessions for benchmarks, generated
//! inside Postgres (`INSERT ... SELECT ... generate_series`) in batches: nothing crosses the
//! wire, which is what `COPY` would save a client-side loader. When the load at least
//! doubles the table, it runs as a bulk load ([`bulk`]): the secondary indexes of `sessions`
//! and `accounts` are dropped first, the rows written on two connections at once without
//! triggers, and the indexes built again afterwards on two connections (sorted once instead
//! of maintained row by row: the trigram indexes cost most), then `VACUUM ANALYZE`. The
//! database ends with every index in place, as fast as one filled by the product.

use std::time::Instant;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::domain::kinds::Role;
use crate::service::passwords;
use crate::store::users::{self, NewUser};

/// Rows written by one statement.
const BATCH: u64 = 50_000;

/// Reviewers that seeded decisions are attributed to. They cannot sign in: their password
/// hash is not a valid PHC string, so every verification fails.
const SEED_REVIEWERS: &[(&str, &str)] = &[
    ("seed.amara", "Amara Okafor"),
    ("seed.bjorn", "Björn Lindqvist"),
    ("seed.chen", "Chen Wei"),
    ("seed.daniela", "Daniela Costa"),
    ("seed.emre", "Emre Yilmaz"),
    ("seed.fatima", "Fatima Benali"),
];

/// The locales seeded names, streets and phone numbers come from.
const LOCALES_SQL: &str = r#"
CREATE TEMP TABLE IF NOT EXISTS seed_locales (idx int, country text, phone text, firsts text[], lasts text[], cities text[], streets text[]);
TRUNCATE seed_locales;
INSERT INTO seed_locales VALUES
 (0, 'SE', '+4670', '{Anna,Erik,Maja,Lars,Elsa,Oskar,Ingrid,Nils,Astrid,Johan}', '{Eriksson,Lindqvist,Johansson,Nilsson,Bergström,Holm,Sandberg,Åkesson}', '{Stockholm,Göteborg,Malmö,Uppsala,Västerås}', '{Storgatan,Drottninggatan,Kungsgatan,Sveavägen,Götgatan}'),
 (1, 'DE', '+49151', '{Lukas,Sophie,Jonas,Marie,Felix,Lena,Paul,Hannah,Jürgen,Käthe}', '{Müller,Schmidt,Schneider,Fischer,Weber,Becker,Müller-Lüdenscheidt,Köhler}', '{Berlin,Hamburg,München,Köln,Leipzig}', '{Hauptstraße,Bahnhofstraße,Gartenweg,Schillerstraße,Lindenallee}'),
 (2, 'PL', '+4850', '{Zofia,Jakub,Julia,Kacper,Wiktoria,Szymon,Łucja,Paweł}', '{Nowak,Kowalski,Wiśniewska,Wójcik,Kamińska,Lewandowski,Zieliński}', '{Warszawa,Kraków,Gdańsk,Wrocław,Poznań}', '{ulica Długa,ulica Polna,ulica Lipowa,ulica Leśna}'),
 (3, 'FR', '+336', '{Léa,Hugo,Chloé,Louis,Inès,Gabriel,Zoé,Théo,Amélie}', '{Martin,Bernard,Dubois,Lefèvre,Moreau,Laurent,Girard,Rousseau}', '{Paris,Lyon,Marseille,Toulouse,Nantes}', '{rue de la Paix,avenue Victor Hugo,rue Pasteur,boulevard Voltaire}'),
 (4, 'ES', '+346', '{Lucía,Hugo,Martina,Mateo,Sofía,Martín,Paula,Álvaro}', '{García,Fernández,González,Rodríguez,López,Martínez,Sánchez,Núñez}', '{Madrid,Barcelona,Valencia,Sevilla,Bilbao}', '{Calle Mayor,Gran Vía,Calle del Sol,Avenida de la Constitución}'),
 (5, 'NG', '+23480', '{Chinedu,Ngozi,Oluwaseun,Aisha,Emeka,Funmilayo,Ibrahim,Chiamaka}', '{Okafor,Adeyemi,Okonkwo,Bello,Eze,Nwosu,Abubakar,Olawale}', '{Lagos,Abuja,Ibadan,Kano,Enugu}', '{Allen Avenue,Adeola Odeku Street,Awolowo Road,Herbert Macaulay Way}'),
 (6, 'IN', '+9198', '{Aarav,Priya,Vihaan,Ananya,Arjun,Diya,Rohan,Kavya}', '{Sharma,Patel,Iyer,Reddy,Nair,Gupta,Singh,Chatterjee}', '{Mumbai,Bengaluru,Delhi,Chennai,Pune}', '{MG Road,Linking Road,Park Street,Brigade Road}'),
 (7, 'BR', '+55119', '{João,Maria,Pedro,Ana,Lucas,Beatriz,Gabriel,Larissa}', '{Silva,Santos,Oliveira,Souza,Pereira,Costa,Ferreira,Araújo}', '{São Paulo,Rio de Janeiro,Belo Horizonte,Curitiba,Recife}', '{Rua Augusta,Avenida Paulista,Rua das Flores,Rua XV de Novembro}'),
 (8, 'TR', '+90532', '{Emre,Zeynep,Mehmet,Elif,Can,Ayşe,Burak,Selin}', '{Yılmaz,Kaya,Demir,Şahin,Çelik,Öztürk,Aydın,Arslan}', '{İstanbul,Ankara,İzmir,Bursa,Antalya}', '{İstiklal Caddesi,Bağdat Caddesi,Atatürk Bulvarı,Cumhuriyet Caddesi}'),
 (9, 'JP', '+8190', '{Haruto,Yui,Sota,Hina,Yuto,Aoi,Ren,Sakura}', '{Sato,Suzuki,Takahashi,Tanaka,Watanabe,Ito,Yamamoto,Nakamura}', '{Tokyo,Osaka,Yokohama,Nagoya,Sapporo}', '{Chuo-dori,Omotesando,Meiji-dori,Yasukuni-dori}'),
 (10, 'GB', '+447', '{Oliver,Amelia,George,Isla,Harry,Ava,Jack,Siobhan}', '{Smith,Jones,Taylor,Brown,Williams,Evans,O''Brien,Davies}', '{London,Manchester,Bristol,Leeds,Edinburgh}', '{High Street,Station Road,Church Lane,Victoria Road}'),
 (11, 'US', '+1415', '{James,Olivia,Noah,Emma,Liam,Sophia,Mason,Isabella}', '{Johnson,Williams,Brown,Garcia,Miller,Davis,Rodriguez,Wilson}', '{New York,Chicago,Austin,Seattle,Denver}', '{Main Street,Oak Avenue,Maple Drive,Pine Street}');
"#;

/// The batch statement: accounts first, then sessions spread over every status, with
/// timestamps that follow the lifecycle and decisions attributed to the seed reviewers.
///
/// Ids (and external ids) rise with the row number within a load, the load's tag first:
/// primary and unique keys then grow at their right edge. With random ids a 10,000,000-row
/// load spent most of its time reading and writing key pages that no longer fit in
/// Postgres's buffers (8,000,000 accounts took 94 s, sixteen times a tenth of them).
const SESSIONS_SQL: &str = r#"
WITH g AS (
    SELECT n, random() AS r, random() AS r2, (random() * 2147483646)::bigint AS h
    FROM generate_series($1::bigint, $2::bigint) AS n
), s AS (
    SELECT g.*, CASE
        WHEN r < 0.55 THEN 'approved' WHEN r < 0.70 THEN 'declined' WHEN r < 0.76 THEN 'expired'
        WHEN r < 0.80 THEN 'failed' WHEN r < 0.86 THEN 'completed' WHEN r < 0.89 THEN 'marked_for_review'
        WHEN r < 0.92 THEN 'pending' WHEN r < 0.96 THEN 'started' ELSE 'created' END AS status
    FROM g
), t AS (
    SELECT s.*, l.*,
        now() - CASE WHEN status IN ('created', 'started', 'pending') THEN r2 * interval '6 days'
                     WHEN status IN ('completed', 'marked_for_review', 'failed') THEN r2 * interval '30 days'
                     ELSE interval '1 day' + r2 * interval '364 days' END AS created
    FROM s JOIN seed_locales l ON l.idx = s.h % 12
), p AS (
    SELECT t.*,
        firsts[1 + (h / 7) % cardinality(firsts)] AS first,
        lasts[1 + (h / 13) % cardinality(lasts)] AS last
    FROM t
), v AS (
SELECT
    ($3 || '-0001-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid AS id,
    ($3 || '-0000-4000-8000-' || lpad(to_hex(n % $4::bigint), 12, '0'))::uuid AS account_id,
    'usr_' || $3 || lpad(to_hex(n % $4::bigint), 8, '0') AS external_id,
    status, 'api_key' AS creator_type,
    CASE WHEN h % 5 = 0 THEN ARRAY['verification/idv', 'verification/address'] ELSE ARRAY['verification/idv'] END AS required_verifications,
    CASE WHEN status = 'created' THEN NULL ELSE first END AS first_name,
    CASE WHEN status = 'created' THEN NULL ELSE last END AS last_name,
    CASE WHEN status = 'created' THEN NULL ELSE date '1950-01-01' + (h % 20000)::int END AS birth_date,
    CASE WHEN status = 'created' THEN NULL
         ELSE translate(lower(first || '.' || last), 'åäöüéèçñłśźżąęóíáúãâêışğ ''', 'aaoueecnlszzaeoiauaaeisg') || (h % 1000) || '@example.org' END AS email,
    CASE WHEN status = 'created' THEN NULL ELSE phone || lpad((h % 10000000)::text, 7, '0') END AS phone,
    CASE WHEN status = 'created' THEN NULL ELSE streets[1 + (h / 17) % cardinality(streets)] || ' ' || (1 + h % 180) END AS address_line1,
    CASE WHEN status = 'created' THEN NULL ELSE cities[1 + (h / 19) % cardinality(cities)] END AS address_locality,
    CASE WHEN status = 'created' THEN NULL ELSE lpad((10000 + h % 89999)::text, 5, '0') END AS address_postal_code,
    country AS address_country_code,
    CASE WHEN status IN ('created', 'started') THEN NULL ELSE upper(substr(md5(h::text), 1, 9)) END AS identity_number,
    CASE WHEN status IN ('created', 'started') THEN NULL ELSE country END AS identity_number_issuing_country_code,
    CASE WHEN status IN ('created', 'started') THEN NULL ELSE 'passport' END AS identity_number_class,
    CASE status WHEN 'approved' THEN 'approved' WHEN 'declined' THEN 'declined' END AS decision,
    CASE WHEN status = 'declined' THEN (ARRAY['document_unreadable', 'document_expired', 'document_suspected_fraud',
        'data_mismatch', 'underage', 'duplicate', 'sanctions_or_watchlist', 'other'])[1 + h % 8] END AS decision_reason,
    CASE WHEN status IN ('approved', 'declined') THEN 'user' END AS decided_by_type,
    CASE WHEN status IN ('approved', 'declined') THEN ($5::uuid[])[1 + h % cardinality($5::uuid[])] END AS decided_by,
    CASE status WHEN 'created' THEN 'session.created' WHEN 'started' THEN 'session.started'
        WHEN 'pending' THEN 'session.submitted' WHEN 'completed' THEN 'session.completed'
        WHEN 'failed' THEN 'session.failed' WHEN 'marked_for_review' THEN 'session.marked_for_review'
        WHEN 'approved' THEN 'session.approved' WHEN 'declined' THEN 'session.declined' ELSE 'session.expired' END AS last_activity,
    created AS created_at,
    LEAST(now(), created + interval '3 hours') AS updated_at,
    CASE WHEN status <> 'created' THEN created + interval '3 minutes' END AS started_at,
    CASE WHEN status NOT IN ('created', 'started') AND status <> 'expired' THEN created + interval '9 minutes' END AS submitted_at,
    CASE WHEN status IN ('completed', 'marked_for_review', 'approved', 'declined') THEN created + interval '10 minutes' END AS completed_at,
    CASE WHEN status = 'failed' THEN created + interval '10 minutes' END AS failed_at,
    CASE WHEN status = 'marked_for_review' THEN LEAST(now(), created + interval '2 hours') END AS marked_for_review_at,
    CASE WHEN status IN ('approved', 'declined') THEN LEAST(now(), created + interval '15 minutes' + r2 * interval '20 hours') END AS decisioned_at,
    CASE WHEN status = 'expired' THEN created + interval '7 days' END AS expired_at,
    created + interval '7 days' AS expires_at,
    CASE WHEN status IN ('completed', 'marked_for_review', 'failed', 'approved', 'declined') THEN created + interval '10 minutes' END AS waiting_since,
    -- Seeded waits past the default target are already reported, as a running system's
    -- would be: the breach job starts with nothing to catch up on.
    CASE WHEN status IN ('completed', 'marked_for_review', 'failed')
              AND created + interval '10 minutes' + interval '24 hours' <= now()
         THEN created + interval '10 minutes' + interval '24 hours' END AS sla_breached_at
FROM p
)
INSERT INTO sessions (
    id, account_id, status, creator_type, required_verifications,
    first_name, last_name, birth_date, email, phone,
    address_line1, address_locality, address_postal_code, address_country_code,
    identity_number, identity_number_issuing_country_code, identity_number_class,
    decision, decision_reason, decided_by_type, decided_by, last_activity,
    created_at, updated_at, started_at, submitted_at, completed_at, failed_at,
    marked_for_review_at, decisioned_at, expired_at, expires_at, waiting_since, sla_breached_at,
    search_text)
SELECT
    id, account_id, status, creator_type, required_verifications,
    first_name, last_name, birth_date, email, phone,
    address_line1, address_locality, address_postal_code, address_country_code,
    identity_number, identity_number_issuing_country_code, identity_number_class,
    decision, decision_reason, decided_by_type, decided_by, last_activity,
    created_at, updated_at, started_at, submitted_at, completed_at, failed_at,
    marked_for_review_at, decisioned_at, expired_at, expires_at, waiting_since, sla_breached_at,
    -- As sd_session_search_text() makes it: a bulk load runs without the trigger.
    nullif(sd_fold(concat_ws(' ', first_name, last_name, email, external_id)), '')
FROM v
"#;

/// Connections a bulk load writes and builds indexes on, side by side.
const WORKERS: usize = 2;

/// Adds `count` sessions (and about 0.8 accounts per session) to the database at
/// `database_url`, reporting progress.
pub fn generate(database_url: &str, count: u64) -> anyhow::Result<()> {
    if count == 0 {
        anyhow::bail!("--sessions must be at least 1");
    }
    let started = Instant::now();
    let mut conn = PgConnection::establish(database_url)
        .with_context(|| "cannot connect to the database to seed it")?;
    finish_interrupted(database_url, &mut conn)?;
    let reviewers = ensure_reviewers(&mut conn)?;
    let tag = Uuid::new_v4().simple().to_string()[..8].to_owned();
    let load = Load {
        count,
        accounts: (count * 4 / 5).max(1),
        tag,
        reviewers,
        started,
    };
    if bulk_load(&mut conn, count)? {
        bulk(database_url, &mut conn, &load)?;
    } else {
        // One transaction, the indexes and triggers kept: what fails leaves nothing.
        conn.batch_execute(LOCALES_SQL)
            .context("cannot prepare seed locales")?;
        conn.transaction(|conn| {
            for batch in batches(load.accounts) {
                load.accounts_batch(conn, batch)?;
            }
            for batch in batches(load.count) {
                load.sessions_batch(conn, batch)?;
            }
            anyhow::Ok(())
        })?;
    }
    // Running instances drop their cached counts (the triggers that would have said so
    // were off in a bulk load).
    conn.batch_execute("NOTIFY sessiondesk_changes, 'sessions'")?;
    // VACUUM sets the visibility map, so that counts can be answered from indexes alone.
    for table in ["accounts", "sessions"] {
        conn.batch_execute(&format!("VACUUM ANALYZE {table}"))?;
    }
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = Text)]
        size: String,
    }
    let size =
        diesel::sql_query("SELECT pg_size_pretty(pg_database_size(current_database())) AS size")
            .get_result::<Size>(&mut conn)?;
    println!(
        "seeded {count} sessions in {:.1}s; database size now {}",
        started.elapsed().as_secs_f64(),
        size.size
    );
    Ok(())
}

/// What one run of `seed` writes.
struct Load {
    count: u64,
    accounts: u64,
    tag: String,
    reviewers: Vec<Uuid>,
    started: Instant,
}

/// `[start, end)` ranges of at most [`BATCH`] rows covering `0..total`.
fn batches(total: u64) -> Vec<(u64, u64)> {
    (0..total.div_ceil(BATCH))
        .map(|i| (i * BATCH, ((i + 1) * BATCH).min(total)))
        .collect()
}

impl Load {
    fn accounts_batch(
        &self,
        conn: &mut PgConnection,
        (start, end): (u64, u64),
    ) -> anyhow::Result<()> {
        diesel::sql_query(
            "INSERT INTO accounts (id, external_id, created_at, updated_at) \
             SELECT ($1 || '-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid, \
                    'usr_' || $1 || lpad(to_hex(k), 8, '0'), \
                    now() - interval '400 days' * random(), now() \
             FROM generate_series($2::bigint, $3::bigint) AS k",
        )
        .bind::<Text, _>(&self.tag)
        .bind::<BigInt, _>(start as i64)
        .bind::<BigInt, _>(end as i64 - 1)
        .execute(conn)
        .context("cannot insert seed accounts")?;
        Ok(())
    }

    fn sessions_batch(
        &self,
        conn: &mut PgConnection,
        (start, end): (u64, u64),
    ) -> anyhow::Result<()> {
        diesel::sql_query(SESSIONS_SQL)
            .bind::<BigInt, _>(start as i64)
            .bind::<BigInt, _>(end as i64 - 1)
            .bind::<Text, _>(&self.tag)
            .bind::<BigInt, _>(self.accounts as i64)
            .bind::<Array<SqlUuid>, _>(&self.reviewers)
            .execute(conn)
            .context("cannot insert seed sessions")?;
        println!(
            "seed {}: sessions up to {end} of {} written, {:.1}s",
            self.tag,
            self.count,
            self.started.elapsed().as_secs_f64()
        );
        Ok(())
    }
}

/// A bulk load: the secondary indexes dropped (and their definitions kept in
/// `seed_pending_indexes` until each is built again), the rows written by [`WORKERS`]
/// connections side by side without triggers where the role may, then the indexes built
/// by as many connections, the costliest first.
///
/// Each step commits on its own, so the dropped indexes are in the pending table from
/// the first step: a load that fails builds them again before it returns, and one that was
/// killed leaves them for the next `seed`, which builds them first ([`finish_interrupted`]).
fn bulk(database_url: &str, conn: &mut PgConnection, load: &Load) -> anyhow::Result<()> {
    let dropped = conn.transaction(|c| {
        let dropped = drop_secondary_indexes(c)?;
        for (name, definition) in &dropped {
            diesel::sql_query(
                "INSERT INTO seed_pending_indexes (name, definition) VALUES ($1, $2) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind::<Text, _>(name)
            .bind::<Text, _>(definition)
            .execute(c)?;
        }
        anyhow::Ok(dropped)
    })?;
    println!(
        "seed {}: bulk load, {} secondary indexes dropped, rebuilt at the end",
        load.tag,
        dropped.len()
    );
    let written = (|| {
        let accounts = batches(load.accounts);
        side_by_side(database_url, writer, &accounts, |c, b| {
            load.accounts_batch(c, *b)
        })?;
        println!(
            "seed {}: {} accounts in {:.1}s",
            load.tag,
            load.accounts,
            load.started.elapsed().as_secs_f64()
        );
        // Sessions after the accounts have committed: with the triggers on (a role that
        // may not turn them off) each one's account must be there to be seen.
        let sessions = batches(load.count);
        side_by_side(database_url, writer, &sessions, |c, b| {
            load.sessions_batch(c, *b)
        })
    })();
    // The indexes come back whether or not the rows went in.
    let building = Instant::now();
    let built = build_pending(database_url, conn);
    written?;
    let n = built?;
    println!(
        "seed {}: {n} indexes rebuilt in {:.1}s",
        load.tag,
        building.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs `work` for every item of `items` on [`WORKERS`] connections (each prepared by
/// `setup`), each taking the next item not yet taken; every item commits on its own.
fn side_by_side<T: Sync>(
    database_url: &str,
    setup: impl Fn(&mut PgConnection) -> anyhow::Result<()> + Sync,
    items: &[T],
    work: impl Fn(&mut PgConnection, &T) -> anyhow::Result<()> + Sync,
) -> anyhow::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..WORKERS.min(items.len()))
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    let mut conn = PgConnection::establish(database_url)?;
                    setup(&mut conn)?;
                    while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                        work(&mut conn, item)?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a seed worker panicked")))
            })
            .collect::<anyhow::Result<Vec<()>>>()
            .map(|_| ())
    })
}

/// Prepares a connection that writes rows: without triggers (the search text is written by
/// the load itself, and the generated ids are consistent by construction) where the role
/// may (a superuser), and with the locales at hand.
fn writer(conn: &mut PgConnection) -> anyhow::Result<()> {
    let _ = conn.batch_execute("SET session_replication_role = replica");
    conn.batch_execute(LOCALES_SQL)
        .context("cannot prepare seed locales")
}

/// Builds every index in `seed_pending_indexes` on [`WORKERS`] connections (the trigram
/// indexes, the costliest, first), forgetting each once it is built; returns how many.
fn build_pending(database_url: &str, conn: &mut PgConnection) -> anyhow::Result<usize> {
    #[derive(QueryableByName)]
    struct Pending {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        definition: String,
    }
    let pending: Vec<Pending> = diesel::sql_query(
        "SELECT name, definition FROM seed_pending_indexes \
         ORDER BY (definition LIKE '%gin%') DESC, (definition LIKE '%(%(%') DESC, name",
    )
    .load(conn)?;
    let setup = |c: &mut PgConnection| {
        // Each build sorts in memory, one core each.
        c.batch_execute(
            "SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 0",
        )?;
        anyhow::Ok(())
    };
    side_by_side(database_url, setup, &pending, |c, p| {
        let create = p
            .definition
            .replacen("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1);
        let building = Instant::now();
        c.batch_execute(&create)
            .with_context(|| format!("cannot rebuild the index {}", p.name))?;
        println!(
            "  index {} built in {:.1}s",
            p.name,
            building.elapsed().as_secs_f64()
        );
        diesel::sql_query("DELETE FROM seed_pending_indexes WHERE name = $1")
            .bind::<Text, _>(&p.name)
            .execute(c)?;
        Ok(())
    })?;
    Ok(pending.len())
}

/// Builds the indexes a killed bulk load left dropped, before anything else.
fn finish_interrupted(database_url: &str, conn: &mut PgConnection) -> anyhow::Result<()> {
    #[derive(QueryableByName)]
    struct Rows {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let left = diesel::sql_query("SELECT count(*) AS n FROM seed_pending_indexes")
        .get_result::<Rows>(conn)?
        .n;
    if left > 0 {
        println!("an earlier bulk load was interrupted: building its {left} indexes first");
        build_pending(database_url, conn)?;
    }
    Ok(())
}

/// Whether `count` new sessions at least double the table: then dropping its indexes and
/// building them again is cheaper than maintaining them row by row.
fn bulk_load(conn: &mut PgConnection, count: u64) -> anyhow::Result<bool> {
    #[derive(QueryableByName)]
    struct Rows {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let existing =
        diesel::sql_query("SELECT count(*) AS n FROM sessions").get_result::<Rows>(conn)?;
    Ok(count >= 10_000 && count as i64 >= existing.n)
}

/// Drops the indexes of `sessions` and `accounts` that back no constraint, returning each
/// one's name and definition (`CREATE INDEX ...`), to build again after the load.
fn drop_secondary_indexes(conn: &mut PgConnection) -> anyhow::Result<Vec<(String, String)>> {
    #[derive(QueryableByName)]
    struct Index {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        definition: String,
    }
    let indexes: Vec<Index> = diesel::sql_query(
        "SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition \
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
         WHERE i.indrelid IN ('sessions'::regclass, 'accounts'::regclass) \
           AND NOT i.indisunique \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
         ORDER BY c.relname",
    )
    .load(conn)?;
    for index in &indexes {
        conn.batch_execute(&format!("DROP INDEX \"{}\"", index.name.replace('"', "")))?;
    }
    Ok(indexes
        .into_iter()
        .map(|i| (i.name, i.definition))
        .collect())
}

fn ensure_reviewers(conn: &mut PgConnection) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for (username, display_name) in SEED_REVIEWERS {
        let user = match users::find_by_username(conn, username)? {
            Some(u) => u,
            None => users::insert(
                conn,
                &NewUser {
                    username: (*username).to_owned(),
                    display_name: (*display_name).to_owned(),
                    role: Role::Reviewer,
                    password_hash: format!("!disabled-{}", passwords::generate(16)),
                },
            )?,
        };
        ids.push(user.id);
    }
    Ok(ids)
}
