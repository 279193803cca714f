//! What a native path would give: checker's account rules on the regorus crate, no Python.
//!
//! Given a snapshot from `bench/generate.py` (its `snapshot.json` and `partner.json`) and the
//! policies under `rego/` (without `*_test.rego`), this times, per customer, batch by batch
//! as checker runs them:
//!
//! - scan: one read of the file finding where each customer starts and ends (string-aware
//!   brace counting, as checker's splitter does), once before the batches;
//! - a: reading a batch's text again and parsing it with serde_json (to `serde_json::Value`,
//!   what a schema validator reads);
//! - b: the batch's policy input turned into regorus values by regorus's own from-JSON path
//!   (`Value::from_json_str`, what `set_input_json` does), and b2: the same from the parsed
//!   serde values (`Value::from(serde_json::Value)`);
//! - c: the interpreter evaluating `data.checker.main.accounts` (input set from b);
//! - d: the compiled mode (RVM) evaluating a generated entry module that names each package
//!   under `data.checker.accounts` (RVM rejects `data.checker.accounts[_]`), with the
//!   instruction limit raised so that a whole batch runs in one call;
//! - d2: the same on the input made from serde values (b2), which regorus evaluates more
//!   slowly than the one made from text;
//! - e: end to end on N threads (one engine or VM per thread, batches taken in turn):
//!   read, parse (a), input from text (b) and evaluate (c or d); wall time, scan excluded.
//!
//! Every time is given in CPU seconds (this thread's, or summed over the threads) beside
//! wall seconds: on a shared machine the wall time also counts the time other processes
//! held the core, and the run says how many cores they kept busy.
//!
//! Findings are counted as checker counts them: each customer's findings per batch, and the
//! findings about the header or the configuration (which every batch repeats) once.
//!
//!     cargo run --release --manifest-path bench/native/Cargo.toml -- \
//!         --snapshot /tmp/snap/snapshot.json --config /tmp/snap/partner.json --policy rego

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::RegoVM;
use regorus::{Engine, Rc, Value};

const INTERPRETER_ENTRY: &str = "data.checker.main.accounts";
const RVM_ENTRY: &str = "data.bench.native.accounts";
const BLOCK: usize = 8 << 20;

type Result<T> = std::result::Result<T, String>;

struct Args {
    snapshot: PathBuf,
    config: PathBuf,
    policy: PathBuf,
    batch: usize,
    threads: usize,
    max_instructions: usize,
    by_rule: bool,
    skip_interpreter: bool,
    report: Option<PathBuf>,
}

fn usage() -> String {
    "usage: checker-native-bench --snapshot FILE --config FILE [--policy DIR] [--batch N] \
     [--threads N] [--max-instructions N] [--by-rule] [--skip-interpreter] \
     [--report REPORT.json]"
        .to_string()
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        snapshot: PathBuf::new(),
        config: PathBuf::new(),
        policy: PathBuf::from("rego"),
        batch: 1000,
        threads: 2,
        max_instructions: usize::MAX,
        by_rule: false,
        skip_interpreter: false,
        report: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{}", usage()));
        let number = |text: String| {
            text.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("expected a positive integer, got {text:?}"))
        };
        match flag.as_str() {
            "--snapshot" => args.snapshot = PathBuf::from(value()?),
            "--config" => args.config = PathBuf::from(value()?),
            "--policy" => args.policy = PathBuf::from(value()?),
            "--batch" => args.batch = number(value()?)?,
            "--threads" => args.threads = number(value()?)?,
            "--max-instructions" => args.max_instructions = number(value()?)?,
            "--by-rule" => args.by_rule = true,
            "--skip-interpreter" => args.skip_interpreter = true,
            "--report" => args.report = Some(PathBuf::from(value()?)),
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    if args.snapshot.as_os_str().is_empty() || args.config.as_os_str().is_empty() {
        return Err(usage());
    }
    Ok(args)
}

// ---------------------------------------------------------------------------------------
// Scan: where the customers are.

struct Batch {
    start: u64,
    end: u64,
    count: usize,
    base: usize,
}

struct Scan {
    header: serde_json::Map<String, serde_json::Value>,
    batches: Vec<Batch>,
    customers: usize,
    bytes: u64,
}

/// One pass over the file: the header (every member but `customers`) and the byte range of
/// each batch of customers (from the first one's `{` to the last one's `}`).
fn scan(path: &Path, batch_size: usize) -> Result<Scan> {
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut block = vec![0u8; BLOCK];
    let mut header: Vec<u8> = Vec::new();
    let mut batches = Vec::new();
    let (mut depth, mut in_str, mut escaped) = (0u32, false, false);
    let mut expect_key = false;
    let mut key: Option<Vec<u8>> = None;
    let mut key_header_len = 0usize;
    let mut cut: Option<usize> = None; // header length where the customers member was
    let (mut pending_customers, mut in_customers, mut done_customers) = (false, false, false);
    let mut element_start = 0u64;
    let mut current = Batch { start: 0, end: 0, count: 0, base: 0 };
    let mut customers = 0usize;
    let mut offset = 0u64;
    loop {
        let n = file.read(&mut block).map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        for &byte in &block[..n] {
            let inside = in_customers || (pending_customers && !done_customers);
            if !inside {
                header.push(byte);
            }
            if in_str {
                if let Some(k) = key.as_mut() {
                    k.push(byte);
                }
                if escaped {
                    escaped = false;
                } else if byte == b'\\' {
                    escaped = true;
                } else if byte == b'"' {
                    in_str = false;
                    if let Some(k) = key.take() {
                        if k == b"\"customers\"" && depth == 1 && !done_customers {
                            pending_customers = true;
                            cut = Some(key_header_len);
                            header.truncate(key_header_len);
                        }
                    }
                }
                offset += 1;
                continue;
            }
            match byte {
                b'"' => {
                    in_str = true;
                    if depth == 1 && expect_key {
                        key = Some(vec![b'"']);
                        key_header_len = header.len() - 1;
                        expect_key = false;
                    }
                }
                b'{' | b'[' => {
                    if in_customers && depth == 2 {
                        if byte != b'{' {
                            return Err(format!("customer {customers} is not an object"));
                        }
                        element_start = offset;
                    }
                    if pending_customers && !in_customers && !done_customers && depth == 1 {
                        if byte != b'[' {
                            return Err("customers is not an array".to_string());
                        }
                        in_customers = true;
                    }
                    depth += 1;
                    if depth == 1 {
                        expect_key = true;
                    }
                }
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if in_customers && depth == 2 && byte == b'}' {
                        if current.count == 0 {
                            current.start = element_start;
                            current.base = customers;
                        }
                        current.end = offset + 1;
                        current.count += 1;
                        customers += 1;
                        if current.count == batch_size {
                            let next = Batch { start: 0, end: 0, count: 0, base: 0 };
                            batches.push(std::mem::replace(&mut current, next));
                        }
                    } else if in_customers && depth == 1 {
                        in_customers = false;
                        done_customers = true;
                        pending_customers = false;
                    }
                }
                b',' if depth == 1 => expect_key = true,
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => {}
                _ => {
                    if in_customers && depth == 2 {
                        return Err(format!("customer {customers} is not an object"));
                    }
                }
            }
            offset += 1;
        }
    }
    if current.count > 0 {
        batches.push(current);
    }
    if !done_customers {
        return Err(format!("{}: no customers array", path.display()));
    }
    // Join what was before and after the customers member.
    let cut = cut.unwrap_or(header.len());
    let (pre, post) = header.split_at(cut);
    let mut pre = pre.trim_ascii_end().to_vec();
    let mut post = post.trim_ascii_start();
    if pre.ends_with(b",") && post.starts_with(b"}") {
        pre.pop();
    } else if pre.ends_with(b"{") && post.starts_with(b",") {
        post = &post[1..];
    }
    pre.extend_from_slice(post);
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&pre).map_err(|e| format!("{}: header: {e}", path.display()))?;
    Ok(Scan { header, batches, customers, bytes: offset })
}

// ---------------------------------------------------------------------------------------
// Policies and engines.

fn policy_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if path.is_dir() {
                stack.push(path);
            } else if name.ends_with(".rego") && !name.ends_with("_test.rego") {
                found.push(path);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        return Err(format!("{}: no .rego files", dir.display()));
    }
    Ok(found)
}

struct Policies {
    modules: Vec<(String, String)>,
    entry: String,
    packages: Vec<String>,
    /// The ids declared in METADATA blocks of the modules under `checker.accounts`.
    rule_ids: BTreeSet<String>,
}

/// The modules, and an entry module for RVM naming every package under
/// `checker.accounts` (the union of their `deny` and `not_applicable` sets).
fn load_policies(dir: &Path) -> Result<Policies> {
    let mut modules = Vec::new();
    let mut packages = BTreeSet::new();
    let mut rule_ids = BTreeSet::new();
    for path in policy_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut accounts = false;
        for line in text.lines() {
            if let Some(name) = line.trim().strip_prefix("package ") {
                let name = name.trim();
                accounts = name.starts_with("checker.accounts.");
                if accounts {
                    packages.insert(name.to_string());
                }
            }
        }
        if accounts {
            for line in text.lines() {
                if let Some(id) = line.strip_prefix("#   id: ") {
                    rule_ids.insert(id.trim().to_string());
                }
            }
        }
        modules.push((path.display().to_string(), text));
    }
    let union = |member: &str| -> String {
        packages
            .iter()
            .map(|p| format!("{{x | some x in data.{p}.{member}}}"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let entry = format!(
        "package bench.native\n\nimport rego.v1\n\naccounts := {{\n\t\"deny\": {},\n\t\
         \"not_applicable\": {},\n\t\"subscriptions\": \
         data.checker.lib.subscription_counts(input.snapshot.customers),\n}}\n",
        union("deny"),
        union("not_applicable")
    );
    Ok(Policies { modules, entry, packages: packages.into_iter().collect(), rule_ids })
}

fn interpreter(policies: &Policies) -> Result<Engine> {
    let mut engine = Engine::new();
    for (name, text) in &policies.modules {
        engine.add_policy(name.clone(), text.clone()).map_err(|e| format!("{e}"))?;
    }
    engine
        .add_policy("bench/native/entry.rego".to_string(), policies.entry.clone())
        .map_err(|e| format!("{e}"))?;
    Ok(engine)
}

fn vm(policies: &Policies, max_instructions: usize) -> Result<RegoVM> {
    let mut engine = interpreter(policies)?;
    let entry: Rc<str> = Rc::from(RVM_ENTRY);
    let compiled = engine.compile_with_entrypoint(&entry).map_err(|e| format!("{e}"))?;
    let program = Compiler::compile_from_policy(&compiled, &[RVM_ENTRY])
        .map_err(|e| format!("RVM compile: {e}"))?;
    let mut vm = RegoVM::new();
    vm.load_program(program);
    vm.set_data(Value::new_object()).map_err(|e| format!("{e}"))?;
    vm.set_max_instructions(max_instructions);
    Ok(vm)
}

// ---------------------------------------------------------------------------------------
// Findings, counted as checker counts them.

#[derive(Default)]
struct Tally {
    customers: BTreeMap<String, usize>,
    others: BTreeSet<String>,
    subscriptions: BTreeMap<String, u64>,
}

impl Tally {
    fn add(&mut self, answer: &Value, base: usize) -> Result<()> {
        let deny = answer["deny"].as_set().map_err(|_| format!("no deny set in {answer}"))?;
        for finding in deny.iter() {
            let rule = finding["rule"].as_string().map_err(|e| format!("{e}"))?.to_string();
            let document = match &finding["document"] {
                Value::Undefined => String::new(),
                v => v.as_string().map_err(|e| format!("{e}"))?.to_string(),
            };
            let path = finding["path"].as_array().map_err(|e| format!("{e}"))?;
            let about_customer = document.is_empty()
                && path.len() >= 2
                && path[0] == Value::from("customers")
                && path[1].as_u64().is_ok();
            if about_customer {
                *self.customers.entry(rule).or_default() += 1;
            } else {
                // About the header or the configuration: every batch repeats it.
                let mut path: Vec<Value> = path.iter().cloned().collect();
                if path.len() >= 2 && path[0] == Value::from("customers") {
                    if let Ok(i) = path[1].as_u64() {
                        path[1] = Value::from(i + base as u64);
                    }
                }
                let key = format!("{rule}\u{0}{document}\u{0}{}\u{0}{}", Value::from(path),
                                  finding["msg"]);
                self.others.insert(key);
            }
        }
        if let Ok(counts) = answer["subscriptions"].as_object() {
            for (kind, n) in counts.iter() {
                let kind = kind.as_string().map(|s| s.to_string()).unwrap_or_default();
                *self.subscriptions.entry(kind).or_default() += n.as_u64().unwrap_or(0);
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Tally) {
        for (rule, n) in other.customers {
            *self.customers.entry(rule).or_default() += n;
        }
        self.others.extend(other.others);
        for (kind, n) in other.subscriptions {
            *self.subscriptions.entry(kind).or_default() += n;
        }
    }

    fn by_rule(&self) -> BTreeMap<String, usize> {
        let mut rules = self.customers.clone();
        for key in &self.others {
            let rule = key.split('\u{0}').next().unwrap_or_default().to_string();
            *rules.entry(rule).or_default() += 1;
        }
        rules
    }

    fn total(&self) -> usize {
        self.customers.values().sum::<usize>() + self.others.len()
    }
}

// ---------------------------------------------------------------------------------------
// The steps.

struct Input {
    prefix: String,
    suffix: &'static str,
    header: serde_json::Map<String, serde_json::Value>,
    configuration: serde_json::Value,
    as_of: serde_json::Value,
}

impl Input {
    fn new(scan: &Scan, configuration: serde_json::Value) -> Result<Input> {
        let as_of = scan.header.get("asOf").cloned().ok_or("the snapshot has no asOf")?;
        let header = serde_json::to_string(&scan.header).map_err(|e| e.to_string())?;
        let open = if header == "{}" { "{".to_string() } else { format!("{},", &header[..header.len() - 1]) };
        let prefix = format!(
            "{{\"configuration\":{},\"asOf\":{},\"snapshot\":{open}\"customers\":[",
            serde_json::to_string(&configuration).map_err(|e| e.to_string())?,
            as_of
        );
        Ok(Input { prefix, suffix: "]}}", header: scan.header.clone(), configuration, as_of })
    }

    /// b: the policy input, from text, by regorus's own from-JSON path.
    fn from_text(&self, customers: &[u8]) -> Result<Value> {
        let mut text = String::with_capacity(self.prefix.len() + customers.len() + 3);
        text.push_str(&self.prefix);
        text.push_str(std::str::from_utf8(customers).map_err(|e| e.to_string())?);
        text.push_str(self.suffix);
        Value::from_json_str(&text).map_err(|e| format!("{e}"))
    }

    /// b2: the policy input, from parsed serde values.
    fn from_serde(&self, customers: Vec<serde_json::Value>) -> Value {
        let mut snapshot = self.header.clone();
        snapshot.insert("customers".to_string(), serde_json::Value::Array(customers));
        let mut input = serde_json::Map::new();
        input.insert("configuration".to_string(), self.configuration.clone());
        input.insert("asOf".to_string(), self.as_of.clone());
        input.insert("snapshot".to_string(), serde_json::Value::Object(snapshot));
        Value::from(serde_json::Value::Object(input))
    }
}

fn read_batch(file: &File, batch: &Batch, buffer: &mut Vec<u8>) -> Result<()> {
    let len = usize::try_from(batch.end - batch.start).map_err(|e| e.to_string())?;
    buffer.clear();
    buffer.resize(len + 2, 0);
    buffer[0] = b'[';
    file.read_exact_at(&mut buffer[1..=len], batch.start).map_err(|e| e.to_string())?;
    buffer[len + 1] = b']';
    Ok(())
}

fn parse(buffer: &[u8], count: usize) -> Result<Vec<serde_json::Value>> {
    let customers: Vec<serde_json::Value> = serde_json::from_slice(buffer).map_err(|e| e.to_string())?;
    if customers.len() != count {
        return Err(format!("expected {count} customers, parsed {}", customers.len()));
    }
    Ok(customers)
}

/// Seconds of CPU time and of wall time.
#[derive(Default, Clone, Copy)]
struct Spent {
    cpu: f64,
    wall: f64,
}

#[derive(Default)]
struct Times {
    parse: Spent,
    input_text: Spent,
    input_serde: Spent,
    interpreter: Spent,
    rvm: Spent,
    rvm_serde: Spent,
}

fn since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// This thread's CPU time in seconds: on a shared machine the wall time also counts the
/// time other processes held the core.
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into the valid pointer given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

struct Clock {
    cpu: f64,
    wall: Instant,
}

impl Clock {
    fn start() -> Clock {
        Clock { cpu: thread_cpu(), wall: Instant::now() }
    }

    fn add_to(&self, spent: &mut Spent) {
        spent.cpu += thread_cpu() - self.cpu;
        spent.wall += since(self.wall);
    }
}

/// Busy and total jiffies of the whole machine (/proc/stat), to tell how much of it other
/// processes used while a step ran.
fn machine_jiffies() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = text.lines().next() else { return (0, 0) };
    let fields: Vec<u64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    if fields.len() < 8 {
        return (0, 0);
    }
    // user nice system idle iowait irq softirq steal
    let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
    (busy, busy + fields[3] + fields[4])
}

fn process_cpu() -> f64 {
    // SAFETY: getrusage fills the zeroed struct given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// How many cores processes other than this one kept busy between two readings.
struct Load {
    jiffies: (u64, u64),
    cpu: f64,
    wall: Instant,
}

impl Load {
    fn start() -> Load {
        Load { jiffies: machine_jiffies(), cpu: process_cpu(), wall: Instant::now() }
    }

    fn others(&self) -> f64 {
        let (busy, total) = machine_jiffies();
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
        let wall = since(self.wall);
        if total <= self.jiffies.1 || wall <= 0.0 {
            return 0.0;
        }
        let busy_cores = (busy - self.jiffies.0) as f64 / (total - self.jiffies.1) as f64 * cores;
        (busy_cores - (process_cpu() - self.cpu) / wall).max(0.0)
    }
}

/// a, b, b2, c and d on one core, batch by batch.
fn one_core(args: &Args, scan: &Scan, input: &Input, policies: &Policies)
    -> Result<(Times, Option<Tally>, Tally)> {
    let file = File::open(&args.snapshot).map_err(|e| e.to_string())?;
    let mut engine = interpreter(policies)?;
    let mut machine = vm(policies, args.max_instructions)?;
    let mut times = Times::default();
    let mut interpreted = Tally::default();
    let mut compiled = Tally::default();
    let mut compiled_serde = Tally::default();
    let mut buffer = Vec::new();
    for batch in &scan.batches {
        let t = Clock::start();
        read_batch(&file, batch, &mut buffer)?;
        let customers = parse(&buffer, batch.count)?;
        t.add_to(&mut times.parse);

        let t = Clock::start();
        let value = input.from_text(&buffer[1..buffer.len() - 1])?;
        t.add_to(&mut times.input_text);

        let t = Clock::start();
        let converted = input.from_serde(customers);
        t.add_to(&mut times.input_serde);
        if converted != value {
            return Err(format!("batch at customer {}: the two input paths differ", batch.base));
        }
        // The same input, made from serde values, is slower to evaluate.
        let t = Clock::start();
        machine.set_input(converted);
        let answer = machine.execute_entry_point_by_name(RVM_ENTRY)
            .map_err(|e| format!("RVM, batch at customer {}: {e}", batch.base))?;
        t.add_to(&mut times.rvm_serde);
        compiled_serde.add(&answer, batch.base)?;

        if !args.skip_interpreter {
            let t = Clock::start();
            engine.set_input(value.clone());
            let answer = engine.eval_rule(INTERPRETER_ENTRY.to_string()).map_err(|e| format!("{e}"))?;
            t.add_to(&mut times.interpreter);
            interpreted.add(&answer, batch.base)?;
        }

        let t = Clock::start();
        machine.set_input(value);
        let answer = machine.execute_entry_point_by_name(RVM_ENTRY)
            .map_err(|e| format!("RVM, batch at customer {}: {e}", batch.base))?;
        t.add_to(&mut times.rvm);
        compiled.add(&answer, batch.base)?;
    }
    if compiled_serde.by_rule() != compiled.by_rule() {
        return Err("RVM finds otherwise on the input made from serde values".to_string());
    }
    Ok((times, (!args.skip_interpreter).then_some(interpreted), compiled))
}

enum Evaluator {
    Interpreter(Box<Engine>),
    Rvm(Box<RegoVM>),
}

impl Evaluator {
    fn evaluate(&mut self, value: Value) -> Result<Value> {
        match self {
            Evaluator::Interpreter(engine) => {
                engine.set_input(value);
                engine.eval_rule(INTERPRETER_ENTRY.to_string()).map_err(|e| format!("{e}"))
            }
            Evaluator::Rvm(machine) => {
                machine.set_input(value);
                machine.execute_entry_point_by_name(RVM_ENTRY).map_err(|e| format!("RVM: {e}"))
            }
        }
    }
}

/// e: read, parse, convert and evaluate on `threads` threads: CPU seconds summed over the
/// threads, wall seconds, and the busiest thread's CPU seconds.
fn end_to_end(args: &Args, scan: &Scan, input: &Input, policies: &Policies, rvm: bool)
    -> Result<(Spent, f64, Tally)> {
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let cpu: Mutex<Vec<f64>> = Mutex::new(Vec::new());
    let total = Mutex::new(Tally::default());
    let failure: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..args.threads {
            s.spawn(|| {
                let work = || -> Result<Tally> {
                    let file = File::open(&args.snapshot).map_err(|e| e.to_string())?;
                    let mut evaluator = if rvm {
                        Evaluator::Rvm(Box::new(vm(policies, args.max_instructions)?))
                    } else {
                        Evaluator::Interpreter(Box::new(interpreter(policies)?))
                    };
                    let mut tally = Tally::default();
                    let mut buffer = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(batch) = scan.batches.get(i) else { break };
                        read_batch(&file, batch, &mut buffer)?;
                        // Parsed as a schema validator needs it, then given to regorus from
                        // the text (b2's values are slower to evaluate; see d2).
                        let customers = parse(&buffer, batch.count)?;
                        drop(customers);
                        let value = input.from_text(&buffer[1..buffer.len() - 1])?;
                        let answer = evaluator.evaluate(value)?;
                        tally.add(&answer, batch.base)?;
                    }
                    Ok(tally)
                };
                let outcome = work();
                cpu.lock().expect("cpu").push(thread_cpu());
                match outcome {
                    Ok(tally) => total.lock().expect("tally").merge(tally),
                    Err(e) => *failure.lock().expect("failure") = Some(e),
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().map_err(|e| e.to_string())? {
        return Err(e);
    }
    let wall = since(started);
    let cpu = cpu.into_inner().map_err(|e| e.to_string())?;
    let busiest = cpu.iter().copied().fold(0.0, f64::max);
    Ok((Spent { cpu: cpu.iter().sum(), wall }, busiest,
        total.into_inner().map_err(|e| e.to_string())?))
}

fn row(step: &str, spent: Spent, customers: usize) {
    let per = spent.cpu / customers as f64 * 1e6;
    println!("| {customers} | {step} | {:.2} | {per:.1} | {:.2} |", spent.cpu, spent.wall);
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let configuration: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&args.config).map_err(|e| format!("{}: {e}", args.config.display()))?,
    )
    .map_err(|e| format!("{}: {e} (a JSON PartnerConfiguration)", args.config.display()))?;
    let policies = load_policies(&args.policy)?;

    let t = Clock::start();
    let scan = scan(&args.snapshot, args.batch)?;
    let mut scanned = Spent::default();
    t.add_to(&mut scanned);
    let n = scan.customers;
    if n == 0 {
        return Err("the snapshot has no customers".to_string());
    }
    let input = Input::new(&scan, configuration)?;

    let t = Instant::now();
    drop(interpreter(&policies)?);
    let built_interpreter = since(t);
    let t = Instant::now();
    drop(vm(&policies, args.max_instructions)?);
    let built_vm = since(t);

    // RVM and checker's own entry point, which collects data.checker.accounts[_].
    let rejected = {
        let mut engine = interpreter(&policies)?;
        let entry: Rc<str> = Rc::from(INTERPRETER_ENTRY);
        match engine.compile_with_entrypoint(&entry) {
            Err(e) => format!("does not compile: {e}"),
            Ok(compiled) => match Compiler::compile_from_policy(&compiled, &[INTERPRETER_ENTRY]) {
                Err(e) => format!("rejected: {e}"),
                Ok(_) => "accepted".to_string(),
            },
        }
    };

    let load = Load::start();
    let (times, interpreted, compiled) = one_core(&args, &scan, &input, &policies)?;
    let others_one = load.others();
    let (e_interpreter, others_interpreter) = if args.skip_interpreter {
        (None, 0.0)
    } else {
        let load = Load::start();
        let e = end_to_end(&args, &scan, &input, &policies, false)?;
        (Some(e), load.others())
    };
    let load = Load::start();
    let (rvm_spent, rvm_busiest, e_rvm) = end_to_end(&args, &scan, &input, &policies, true)?;
    let others_rvm = load.others();

    println!(
        "regorus {} (crate), {n} customers, {:.0} bytes each, batches of {}, {} packages \
         under checker.accounts, engine built in {:.3} s (interpreter) / {:.3} s (RVM)",
        regorus_version(),
        scan.bytes as f64 / n as f64,
        args.batch,
        policies.packages.len(),
        built_interpreter,
        built_vm
    );
    let rejected: Vec<&str> = rejected.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    println!("RVM on {INTERPRETER_ENTRY}: {}", rejected.join(" "));
    println!();
    println!("| customers | step | CPU seconds | µs per customer | wall seconds |");
    println!("|---:|---|---:|---:|---:|");
    row("scan: find the customers (one read of the file)", scanned, n);
    row("a. read + serde_json parse", times.parse, n);
    row("b. regorus input from text (Value::from_json_str)", times.input_text, n);
    row("b2. regorus input from serde values", times.input_serde, n);
    if !args.skip_interpreter {
        row("c. interpreter: data.checker.main.accounts", times.interpreter, n);
    }
    row("d. RVM: the generated entry module", times.rvm, n);
    row("d2. RVM, on the input made from serde values (b2)", times.rvm_serde, n);
    let threads = args.threads;
    if let Some((spent, busiest, _)) = &e_interpreter {
        row(&format!("e. {threads} threads: a + b + c (busiest thread {busiest:.2} s CPU)"),
            *spent, n);
    }
    row(&format!("e. {threads} threads: a + b + d (busiest thread {rvm_busiest:.2} s CPU)"),
        rvm_spent, n);
    println!();
    print!("other processes kept {others_one:.2} cores busy during a-d");
    if !args.skip_interpreter {
        print!(", {others_interpreter:.2} during e (interpreter)");
    }
    println!(", {others_rvm:.2} during e (RVM)");
    let e_interpreter = e_interpreter.map(|(_, _, tally)| tally);

    let mut counts = vec![("RVM", compiled.total()), ("RVM, threads", e_rvm.total())];
    if let (Some(i), Some(e)) = (&interpreted, &e_interpreter) {
        counts.insert(0, ("interpreter", i.total()));
        counts.insert(1, ("interpreter, threads", e.total()));
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!("findings: {}", summary.join(", "));
    let agree = interpreted.as_ref().is_none_or(|i| i.by_rule() == compiled.by_rule())
        && compiled.by_rule() == e_rvm.by_rule()
        && e_interpreter.as_ref().is_none_or(|e| e.by_rule() == compiled.by_rule())
        && interpreted.as_ref().is_none_or(|i| i.subscriptions == compiled.subscriptions);
    println!("subscriptions: {:?}", compiled.subscriptions);
    if args.by_rule {
        for (rule, count) in compiled.by_rule() {
            println!("  {rule} {count}");
        }
    }
    if !agree {
        if let Some(i) = &interpreted {
            for (rule, count) in i.by_rule() {
                println!("  interpreter {rule} {count}");
            }
        }
        for (rule, count) in compiled.by_rule() {
            println!("  rvm {rule} {count}");
        }
        return Err("the interpreter and RVM disagree".to_string());
    }
    if let Some(report) = &args.report {
        compare_report(report, &policies.rule_ids, &compiled.by_rule())?;
    }
    Ok(())
}

/// The account rules' findings in a JSON report of `checker check` on the same snapshot.
fn compare_report(path: &Path, rule_ids: &BTreeSet<String>, ours: &BTreeMap<String, usize>)
    -> Result<()> {
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let report: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let findings = report["findings"].as_array().ok_or("the report has no findings array")?;
    let mut theirs: BTreeMap<String, usize> = BTreeMap::new();
    for finding in findings {
        let rule = finding["ruleId"].as_str().unwrap_or_default();
        if rule_ids.contains(rule) {
            *theirs.entry(rule.to_string()).or_default() += 1;
        }
    }
    let total: usize = theirs.values().sum();
    if &theirs == ours {
        println!("checker's report ({}): {total} findings of the {} account rules, \
                  the same per rule", path.display(), rule_ids.len());
        return Ok(());
    }
    for rule in theirs.keys().chain(ours.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (theirs.get(rule).copied().unwrap_or(0), ours.get(rule).copied().unwrap_or(0));
        if a != b {
            println!("  {rule}: checker {a}, here {b}");
        }
    }
    Err(format!("checker's report has {total} findings of the account rules, here {}",
                ours.values().sum::<usize>()))
}

fn regorus_version() -> &'static str {
    "0.14.1"
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("checker-native-bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}
