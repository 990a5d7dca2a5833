//! The seeded documents and tickets.
//!
//! Every seeded ticket is *run* by the same engine that runs new ones: it is
//! created at its (past) start time, scripted operations are applied at
//! their times, and it is advanced to "now". So seeded steps, batches and
//! instances are consistent with their tickets by construction.
//!
//! Ids of documents and seeded tickets do not depend on the seed (tests name
//! them through the `pub const`s); the seed decides everything else about
//! the filler tickets (creators, tags, start times, documents, failures) and
//! every duration.

use coc_core::{ExecutionType, KeyValue, OperateType, TargetKind};

use crate::rng::{Rng, hash, hash_str, hex};
use crate::world::{
    Document, FailKind, FailureRule, NewTicket, PARENT_SYS_TAG, StepDef, Targets, World,
};

/// NORMAL job "Restart nginx service": 3 steps on 3 targets, always succeeds.
pub const DOC_NORMAL: &str = "DM2025061109300101c4e8a2";
/// BATCH job "Rolling OS patch": 3 steps, 12 targets in batches of 4
/// (`batch_size`), pausing between batches (`pause_between_batches`).
pub const DOC_BATCH: &str = "DM2025061214152202d7f1b3";
/// RATE_CONTROL job "Rotate application logs": 2 steps, 8 targets, 2 at a time
/// (`concurrency`).
pub const DOC_RATE_CONTROL: &str = "DM2025061316404503e9a0c4";
/// NORMAL job "Upgrade JDK to 17": step 2 always fails on the first target,
/// so its tickets end Failed, and Failed again after every RETRY.
pub const DOC_FAILING: &str = "DM2025061410051104f2b3d5";
/// NORMAL job "Renew TLS certificates": step 2 fails on the first target on
/// the first attempt only, so a RETRY (or RESUME) makes the ticket succeed.
pub const DOC_FLAKY: &str = "DM2025061511203305a4c6e7";
/// NORMAL job "Back up MySQL databases": step 1 hangs on the second target on
/// the first attempt and times out after 120 s (ticket Timeout); RETRY succeeds.
pub const DOC_TIMEOUT: &str = "DM2025061608451206b5d7f8";
/// NORMAL job whose *name* holds an `<img onerror>` payload.
pub const DOC_XSS: &str = "DM2025061707000007c6e8a9";
/// RATE_CONTROL job of [`TICKET_LARGE`].
pub const DOC_LARGE: &str = "DM2025052507300013f6a7b8";

/// The six documents with a documented outcome, in this order: succeeds,
/// pauses between batches, runs two at a time, always fails, fails once,
/// times out once. Tests that run "every kind of job" take them from here,
/// so a seventh is added in one place.
pub const OUTCOME_DOCUMENTS: [&str; 6] = [
    DOC_NORMAL,
    DOC_BATCH,
    DOC_RATE_CONTROL,
    DOC_FAILING,
    DOC_FLAKY,
    DOC_TIMEOUT,
];

/// Pending: a BATCH ticket (BatchValues, 3 batches of 4) paused after batch 1.
pub const TICKET_PENDING: &str = "EX2025070109151201b3c5d7";
/// Running: a NORMAL ticket in its second step; succeeds within a minute.
pub const TICKET_RUNNING: &str = "EX2025070110223402c4d6e8";
/// Succeed: a NORMAL ticket from two days ago; parent of [`TICKET_CHILD`].
pub const TICKET_SUCCEED: &str = "EX2025063014300103d5e7f9";
/// Canceling: terminated one second before the seed time; Canceled 1 s later.
pub const TICKET_CANCELING: &str = "EX2025070110250004e6f8a0";
/// Canceled: a BATCH ticket terminated during its first batch.
pub const TICKET_CANCELED: &str = "EX2025062916450005f7a9b1";
/// Failed: a [`DOC_FLAKY`] ticket; RETRY or RESUME makes it succeed.
pub const TICKET_FAILED: &str = "EX2025062811101506a8b0c2";
/// Timeout: a [`DOC_TIMEOUT`] ticket; RETRY or RESUME makes it succeed.
pub const TICKET_TIMEOUT: &str = "EX2025062720000007b9c1d3";
/// Running BATCH ticket (InstanceValues, 20 targets in batches of 5, no
/// pauses) in its second batch.
pub const TICKET_BATCH_RUNNING: &str = "EX2025070110200008c0d2e4";
/// Running RATE_CONTROL ticket (8 targets, 2 at a time).
pub const TICKET_RATE_CONTROL: &str = "EX2025070110210009d1e3f5";
/// Running RATE_CONTROL ticket with 10,000 targets and 1,000 parameters.
pub const TICKET_LARGE: &str = "EX2025070108000010e2f4a6";
/// Succeed ticket with `<script>` and `<img onerror>` in its description,
/// document name and a parameter.
pub const TICKET_XSS: &str = "EX2025062609300011f3a5b7";
/// A child ticket of [`TICKET_SUCCEED`] (sys_tag `parent_execution_id`).
pub const TICKET_CHILD: &str = "EX2025063014310112a4b6c8";

/// One ticket per status, for tests.
pub const TICKET_PER_STATUS: [(&str, &str); 7] = [
    ("Pending", TICKET_PENDING),
    ("Running", TICKET_RUNNING),
    ("Succeed", TICKET_SUCCEED),
    ("Canceling", TICKET_CANCELING),
    ("Canceled", TICKET_CANCELED),
    ("Failed", TICKET_FAILED),
    ("Timeout", TICKET_TIMEOUT),
];

/// How many filler tickets are seeded besides the named ones.
pub const FILLER_TICKETS: usize = 32;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

const CREATORS: [&str; 6] = [
    "zhang.wei",
    "li.na",
    "wang.fang",
    "chen.jie",
    "ops-robot",
    "COC-Script",
];
const ENVS: [&str; 3] = ["prod", "staging", "dev"];
const TEAMS: [&str; 3] = ["sre", "dba", "web"];
const SOURCES: [&str; 3] = ["console", "api", "scheduled"];
const DESCRIPTIONS: [&str; 5] = [
    "Weekly maintenance window",
    "Triggered by alarm ALM-7012 (disk usage above 85%)",
    "Change CHG-20250630-014, approved by the CAB",
    "Routine run requested in ticket INC-48213",
    "Post-release verification",
];

fn kv(k: &str, v: &str) -> KeyValue {
    KeyValue::new(k, v)
}

fn step(name: &str, action: &str, inputs: &[(&str, &str)], base_ms: i64) -> StepDef {
    StepDef {
        name: name.to_owned(),
        action: action.to_owned(),
        inputs: inputs.iter().map(|(k, v)| kv(k, v)).collect(),
        base_ms,
        timeout_ms: 120_000,
    }
}

fn generated(kind: TargetKind, count: usize, per_batch: usize, prefix: &str) -> Targets {
    Targets::Generated {
        kind,
        count,
        per_batch,
        seed: hash_str(prefix),
        prefix: prefix.to_owned(),
        region: "cn-north-4".to_owned(),
    }
}

#[allow(clippy::too_many_arguments)]
fn doc(
    id: &str,
    name: &str,
    version: &str,
    exec_type: ExecutionType,
    description: &str,
    steps: Vec<StepDef>,
    targets: Targets,
    parameters: &[(&str, &str)],
    tags: &[(&str, &str)],
    failure: Option<FailureRule>,
) -> Document {
    let h = hash_str(id);
    Document {
        id: id.to_owned(),
        name: name.to_owned(),
        version: version.to_owned(),
        version_id: format!(
            "{}-{}-4{}-b{}-{}",
            hex(h, 8),
            &hex(h, 12)[8..],
            &hex(hash(&[h, 1]), 3),
            &hex(hash(&[h, 2]), 3),
            hex(hash(&[h, 3]), 12)
        ),
        exec_type,
        description: description.to_owned(),
        target_parameter_name: match targets {
            Targets::None => None,
            _ => Some("target_instances".to_owned()),
        },
        steps,
        default_targets: targets,
        default_parameters: parameters.iter().map(|(k, v)| kv(k, v)).collect(),
        tags: tags.iter().map(|(k, v)| kv(k, v)).collect(),
        failure,
    }
}

fn documents() -> Vec<Document> {
    use ExecutionType::{Batch, Normal, RateControl};
    use TargetKind::InstanceValues;
    let check = step(
        "Check service status",
        "coc:executeScript",
        &[("script_name", "check_nginx.sh"), ("timeout", "60")],
        8_000,
    );
    vec![
        doc(
            DOC_NORMAL,
            "Restart nginx service",
            "v3",
            Normal,
            "Always succeeds.",
            vec![
                check.clone(),
                step(
                    "Restart nginx",
                    "coc:executeScript",
                    &[("command", "systemctl restart nginx"), ("timeout", "120")],
                    15_000,
                ),
                step(
                    "Verify HTTP 200",
                    "coc:executeApi",
                    &[
                        ("url", "http://127.0.0.1/healthz"),
                        ("expect_status", "200"),
                    ],
                    6_000,
                ),
            ],
            generated(InstanceValues, 3, 0, "web-prod"),
            &[("service_name", "nginx"), ("restart_mode", "graceful")],
            &[("env", "prod"), ("team", "sre")],
            None,
        ),
        doc(
            DOC_BATCH,
            "Rolling OS patch",
            "v7",
            Batch,
            "Batches of 4, pausing between batches; always succeeds.",
            vec![
                step(
                    "Drain node from ELB",
                    "coc:executeApi",
                    &[("elb_id", "elb-3f9a21"), ("drain_timeout", "30")],
                    10_000,
                ),
                step(
                    "Install security patches",
                    "coc:executeScript",
                    &[
                        ("script_name", "yum_security_update.sh"),
                        ("timeout", "600"),
                    ],
                    10_000,
                ),
                step(
                    "Reboot and rejoin ELB",
                    "coc:rebootInstance",
                    &[("wait_for_agent", "true")],
                    10_000,
                ),
            ],
            generated(InstanceValues, 12, 0, "app-prod"),
            &[
                ("batch_size", "4"),
                ("pause_between_batches", "true"),
                ("patch_set", "KB-2025-07"),
            ],
            &[("env", "prod"), ("team", "sre")],
            None,
        ),
        doc(
            DOC_RATE_CONTROL,
            "Rotate application logs",
            "v2",
            RateControl,
            "Two targets at a time; always succeeds.",
            vec![
                step(
                    "Compress old logs",
                    "coc:executeScript",
                    &[("log_dir", "/var/log/app"), ("retention_days", "7")],
                    4_000,
                ),
                step(
                    "Upload archives to OBS",
                    "coc:executeScript",
                    &[("bucket", "obs-logs-archive")],
                    5_000,
                ),
            ],
            generated(InstanceValues, 8, 0, "log-prod"),
            &[("concurrency", "2"), ("log_dir", "/var/log/app")],
            &[("env", "prod"), ("team", "web")],
            None,
        ),
        doc(
            DOC_FAILING,
            "Upgrade JDK to 17",
            "v1",
            Normal,
            "Step 2 always fails on the first target.",
            vec![
                step(
                    "Download JDK package",
                    "coc:executeScript",
                    &[("package_url", "https://repo.example.com/jdk-17.tar.gz")],
                    5_000,
                ),
                step(
                    "Install JDK",
                    "coc:executeScript",
                    &[("script_name", "install_jdk.sh")],
                    8_000,
                ),
            ],
            generated(InstanceValues, 3, 0, "java-test"),
            &[("jdk_version", "17.0.11")],
            &[("env", "staging"), ("team", "web")],
            Some(FailureRule {
                step: 1,
                unit: 0,
                kind: FailKind::Fail,
                first_attempt_only: false,
            }),
        ),
        doc(
            DOC_FLAKY,
            "Renew TLS certificates",
            "v4",
            Normal,
            "Step 2 fails on the first target on the first attempt only.",
            vec![
                step(
                    "Request certificate",
                    "coc:executeApi",
                    &[("domain", "shop.example.com")],
                    5_000,
                ),
                step(
                    "Install certificate",
                    "coc:executeScript",
                    &[("cert_path", "/etc/nginx/ssl/shop.pem")],
                    5_000,
                ),
                step(
                    "Reload nginx",
                    "coc:executeScript",
                    &[("command", "nginx -s reload")],
                    3_000,
                ),
            ],
            generated(InstanceValues, 2, 0, "edge-prod"),
            &[("domain", "shop.example.com")],
            &[("env", "prod"), ("team", "sre")],
            Some(FailureRule {
                step: 1,
                unit: 0,
                kind: FailKind::Fail,
                first_attempt_only: true,
            }),
        ),
        doc(
            DOC_TIMEOUT,
            "Back up MySQL databases",
            "v2",
            Normal,
            "Step 1 hangs on the second target on the first attempt (timeout 120 s).",
            vec![
                step(
                    "Dump databases",
                    "coc:executeScript",
                    &[("script_name", "mysqldump_all.sh")],
                    20_000,
                ),
                step(
                    "Upload backup to OBS",
                    "coc:executeScript",
                    &[("bucket", "obs-db-backup")],
                    10_000,
                ),
            ],
            generated(InstanceValues, 2, 0, "db-prod"),
            &[("databases", "orders,users")],
            &[("env", "prod"), ("team", "dba")],
            Some(FailureRule {
                step: 0,
                unit: 1,
                kind: FailKind::Hang,
                first_attempt_only: true,
            }),
        ),
        doc(
            DOC_XSS,
            "Cleanup <img src=x onerror=alert(1)> temp files",
            "v1",
            Normal,
            "Its name carries markup a console must show as text.",
            vec![step(
                "Delete temp files",
                "coc:executeScript",
                &[("command", "find /tmp -mtime +7 -delete")],
                4_000,
            )],
            Targets::None,
            &[],
            &[("env", "dev"), ("team", "web")],
            None,
        ),
        doc(
            DOC_LARGE,
            "Fleet-wide UniAgent upgrade",
            "v12",
            RateControl,
            "10,000 targets, 100 at a time.",
            vec![
                step(
                    "Upgrade UniAgent",
                    "coc:executeScript",
                    &[("agent_version", "2.4.1")],
                    5_000,
                ),
                step(
                    "Verify agent heartbeat",
                    "coc:executeApi",
                    &[("expect", "ONLINE")],
                    3_000,
                ),
            ],
            generated(InstanceValues, 10_000, 0, "node-prod"),
            &[("concurrency", "100")],
            &[("env", "prod"), ("team", "sre")],
            None,
        ),
        doc(
            "DM2025052009121508a1b2c3",
            "Collect diagnostics",
            "v5",
            Normal,
            "No targets: one implicit instance per step.",
            vec![
                step(
                    "Snapshot metrics",
                    "coc:executeApi",
                    &[("window", "1h")],
                    3_000,
                ),
                step(
                    "Upload bundle",
                    "coc:executeApi",
                    &[("bucket", "obs-diag")],
                    4_000,
                ),
            ],
            Targets::None,
            &[("window", "1h")],
            &[("env", "prod"), ("team", "sre")],
            None,
        ),
        doc(
            "DM2025052110304409b2c3d4",
            "Scale out web tier",
            "v3",
            Batch,
            "BatchValues targets: 3 batches of 3.",
            vec![
                step(
                    "Create ECS",
                    "coc:executeApi",
                    &[("flavor", "c7.large.2")],
                    12_000,
                ),
                step(
                    "Register to ELB",
                    "coc:executeApi",
                    &[("elb_id", "elb-3f9a21")],
                    5_000,
                ),
            ],
            generated(TargetKind::BatchValues, 9, 3, "web-new"),
            &[("pause_between_batches", "false")],
            &[("env", "prod"), ("team", "web")],
            None,
        ),
        doc(
            "DM2025052214450010c3d4e5",
            "Clear Redis cache",
            "v2",
            RateControl,
            "Three at a time.",
            vec![step(
                "FLUSHDB",
                "coc:executeScript",
                &[("command", "redis-cli -n 3 FLUSHDB")],
                2_000,
            )],
            generated(InstanceValues, 6, 0, "redis-prod"),
            &[("concurrency", "3")],
            &[("env", "prod"), ("team", "dba")],
            None,
        ),
        doc(
            "DM2025052316001211d4e5f6",
            "Deploy order-service v2.3.1",
            "v9",
            Batch,
            "InstanceValues in batches of 2.",
            vec![
                step(
                    "Pull image",
                    "coc:executeScript",
                    &[("image", "swr/order-service:2.3.1")],
                    6_000,
                ),
                step(
                    "Restart container",
                    "coc:executeScript",
                    &[("container", "order-service")],
                    5_000,
                ),
            ],
            generated(InstanceValues, 6, 0, "order-prod"),
            &[("batch_size", "2"), ("pause_between_batches", "false")],
            &[("env", "prod"), ("team", "web")],
            None,
        ),
        doc(
            "DM2025052408150012e5f6a7",
            "Sync NTP configuration",
            "v1",
            Normal,
            "Always succeeds.",
            vec![step(
                "Write chrony.conf",
                "coc:executeScript",
                &[("server", "ntp.myhuaweicloud.com")],
                3_000,
            )],
            generated(InstanceValues, 4, 0, "infra-prod"),
            &[],
            &[("env", "staging"), ("team", "sre")],
            None,
        ),
    ]
}

/// A seeded ticket: what to create, when, and what to do to it.
struct Plan {
    spec: NewTicket,
    start: i64,
    ops: Vec<(i64, OperateType)>,
}

struct Builder<'a> {
    world: &'a World,
    t0: i64,
}

impl Builder<'_> {
    fn plan(&self, id: &str, doc_id: &str, creator: &str, ago: i64) -> Plan {
        let doc_idx = self.world.doc_index(doc_id).unwrap_or(0);
        let doc = self.world.document(doc_idx);
        Plan {
            spec: NewTicket {
                id: id.to_owned(),
                doc: doc_idx,
                creator: creator.to_owned(),
                description: None,
                parameters: doc.default_parameters.clone(),
                tags: doc.tags.clone(),
                sys_tags: vec![kv("source", "console")],
                target_parameter_name: doc.target_parameter_name.clone(),
                targets: doc.default_targets.clone(),
                version: doc.version.clone(),
                failure: doc.failure,
            },
            start: self.t0 - ago,
            ops: Vec::new(),
        }
    }
}

impl Plan {
    fn describe(mut self, d: &str) -> Self {
        self.spec.description = Some(d.to_owned());
        self
    }

    fn param(mut self, k: &str, v: &str) -> Self {
        match self.spec.parameters.iter_mut().find(|p| p.key == k) {
            Some(p) => p.value = Some(v.to_owned()),
            None => self.spec.parameters.push(kv(k, v)),
        }
        self
    }

    fn targets(mut self, t: Targets) -> Self {
        self.spec.targets = t;
        self
    }

    fn child_of(mut self, parent: &str) -> Self {
        self.spec.sys_tags.push(kv(PARENT_SYS_TAG, parent));
        self
    }

    fn then(mut self, after: i64, op: OperateType) -> Self {
        self.ops.push((after, op));
        self
    }
}

fn named(b: &Builder<'_>) -> Vec<Plan> {
    use TargetKind::{BatchValues, InstanceValues};
    let mut large = b
        .plan(TICKET_LARGE, DOC_LARGE, "ops-robot", 2 * MINUTE)
        .describe("Quarterly agent upgrade across the whole fleet");
    large.spec.parameters = std::iter::once(kv("concurrency", "100"))
        .chain((1..1000).map(|i| {
            kv(
                &format!("config_key_{i:04}"),
                &format!("value-{:08x}", hash(&[i]) as u32),
            )
        }))
        .collect();
    vec![
        b.plan(TICKET_PENDING, DOC_BATCH, "zhang.wei", 6 * MINUTE)
            .describe("Patch window 2025-07: waiting for sign-off after the canary batch")
            .targets(generated(BatchValues, 12, 4, "app-canary")),
        b.plan(TICKET_RUNNING, DOC_NORMAL, "li.na", 15_000)
            .describe("Restart after config change CHG-20250701-003"),
        b.plan(TICKET_SUCCEED, DOC_NORMAL, "wang.fang", 2 * DAY)
            .describe("Weekly nginx restart"),
        b.plan(TICKET_CANCELING, DOC_NORMAL, "chen.jie", 10_000)
            .describe("Started by mistake")
            .then(9_000, OperateType::Terminate),
        b.plan(TICKET_CANCELED, DOC_BATCH, "zhang.wei", 3 * DAY)
            .param("pause_between_batches", "false")
            .describe("Stopped: canary showed errors")
            .then(25_000, OperateType::Terminate),
        b.plan(TICKET_FAILED, DOC_FLAKY, "li.na", 4 * DAY)
            .describe("Certificate renewal for shop.example.com"),
        b.plan(TICKET_TIMEOUT, DOC_TIMEOUT, "COC-Script", 5 * DAY)
            .describe("Nightly backup"),
        b.plan(TICKET_BATCH_RUNNING, DOC_BATCH, "ops-robot", 40_000)
            .param("batch_size", "5")
            .param("pause_between_batches", "false")
            .targets(generated(InstanceValues, 20, 0, "app-prod"))
            .describe("Patch the app tier, five hosts at a time"),
        b.plan(TICKET_RATE_CONTROL, DOC_RATE_CONTROL, "wang.fang", 10_000),
        large,
        b.plan(TICKET_XSS, DOC_XSS, "chen.jie", 6 * DAY)
            .describe("Nightly cleanup <script>alert(1)</script> <img src=x onerror=alert(1)>")
            .param("comment", "<script>alert(1)</script>"),
        b.plan(TICKET_CHILD, DOC_NORMAL, "wang.fang", 2 * DAY - MINUTE)
            .child_of(TICKET_SUCCEED)
            .describe("Follow-up restart started by the parent ticket"),
    ]
}

fn fillers(b: &Builder<'_>, seed: u64) -> Vec<Plan> {
    let mut rng = Rng::new(hash(&[seed, 0xF111]));
    let docs = [
        DOC_NORMAL,
        DOC_BATCH,
        DOC_RATE_CONTROL,
        DOC_FAILING,
        DOC_FLAKY,
        "DM2025052009121508a1b2c3",
        "DM2025052110304409b2c3d4",
        "DM2025052214450010c3d4e5",
        "DM2025052316001211d4e5f6",
        "DM2025052408150012e5f6a7",
    ];
    // Ids are fixed by position: 2025-06-30 22:00 UTC going back 17 h 13 min a ticket.
    let id_base = 1_751_320_800_000_i64;
    (0..FILLER_TICKETS)
        .map(|i| {
            let stamp =
                coc_core::UnixTime::from_millis(id_base - i as i64 * (17 * HOUR + 13 * MINUTE))
                    .sdk_date()
                    .replace(['T', 'Z'], "");
            let id = format!("EX{stamp}{:02}{}", 20 + i, hex(hash(&[i as u64, 0xF1]), 6));
            let ago = 2 * HOUR + rng.below(30 * DAY as u64) as i64;
            let mut p = b
                .plan(&id, rng.pick(&docs), rng.pick(&CREATORS), ago)
                .param("pause_between_batches", "false");
            p.spec.tags = vec![kv("env", rng.pick(&ENVS)), kv("team", rng.pick(&TEAMS))];
            if rng.chance(0.3) {
                p.spec.tags.push(kv(
                    "app",
                    rng.pick(&["nginx", "mysql", "redis", "order-service"]),
                ));
            }
            p.spec.sys_tags = vec![kv("source", rng.pick(&SOURCES))];
            if rng.chance(0.7) {
                p = p.describe(rng.pick(&DESCRIPTIONS));
            }
            if p.spec.failure.is_none() && rng.chance(0.15) {
                p.spec.failure = Some(FailureRule {
                    step: rng.below(3) as usize,
                    unit: rng.below(4) as usize,
                    kind: FailKind::Fail,
                    first_attempt_only: true,
                });
            }
            if rng.chance(0.12) {
                p = p.then(3_000, OperateType::Terminate);
            }
            if i % 8 == 3 {
                p = p.child_of(if i % 16 == 3 {
                    TICKET_FAILED
                } else {
                    TICKET_SUCCEED
                });
            }
            p
        })
        .collect()
}

/// Adds the documents and tickets to an empty world whose clock reads `t0`.
pub(crate) fn populate(world: &mut World, t0: i64) {
    for d in documents() {
        world.add_document(d);
    }
    let mut plans = {
        let b = Builder { world, t0 };
        let mut plans = named(&b);
        plans.extend(fillers(&b, world.seed()));
        plans
    };
    // Oldest first, so numeric ids grow with start time as in a database.
    plans.sort_by_key(|p| p.start);
    for plan in plans {
        let idx = world.create(plan.spec, plan.start);
        for (after, op) in plan.ops {
            let at = plan.start + after;
            world.advance_ticket(idx, at);
            // A filler may already have finished (say, failed early): then
            // its scripted operation simply does not apply.
            if let Err(e) = world.ticket_mut(idx).operate(op, at) {
                tracing::debug!("seeded {op} not applied: {e}");
            }
        }
        world.advance_ticket(idx, t0);
    }
}
