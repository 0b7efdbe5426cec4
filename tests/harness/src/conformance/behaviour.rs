//! Checks that run the stage: outputs against ports, determinism, bad
//! parameters and the panic guard.

use std::collections::HashSet;

use macroscope_plugin_api::{ErrorKind, PortKind, Scalar};

use super::schema::ParamSchema;
use super::{Check, CheckResult, Outcome, Scenario, FAULT_INJECTION_PARAMETER};
use crate::driver::{HarnessError, PluginUnderTest, RunOutput};
use crate::synthetic::OwnedItem;

/// The checks from `runs-to-completion` on, in suite order.
pub(super) fn checks(
    plugin: &PluginUnderTest,
    scenario: &Scenario,
    schema: Option<&ParamSchema>,
) -> Vec<CheckResult> {
    let first_run = scenario.run(plugin);
    let result = |check, outcome| CheckResult { check, outcome };
    vec![
        result(
            Check::RunsToCompletion,
            match &first_run {
                Ok(output) => Outcome::Pass(format!(
                    "{} item(s) on {} input(s)",
                    count_items(output),
                    scenario.inputs.len()
                )),
                Err(e) => Outcome::Fail(e.to_string()),
            },
        ),
        result(Check::OutputsMatchPorts, outputs_match_ports(&first_run)),
        result(
            Check::DeterministicOutput,
            deterministic(plugin, scenario, &first_run),
        ),
        result(
            Check::BadParamsRejected,
            bad_params_rejected(plugin, scenario, schema),
        ),
        result(
            Check::PanicBecomesError,
            panic_becomes_error(plugin, scenario),
        ),
    ]
}

fn count_items(output: &RunOutput) -> usize {
    output.ports.iter().map(|p| p.items.len()).sum()
}

/// Item-by-item port checks happen in the contract itself (every emission is
/// checked against its port, an item that does not match ends the run as
/// `BrokeContract`); what is left is what only a whole run shows.
fn outputs_match_ports(run: &Result<RunOutput, HarnessError>) -> Outcome {
    let output = match run {
        Ok(output) => output,
        Err(e) if e.kind() == Some(&ErrorKind::BrokeContract) => {
            return Outcome::Fail(e.to_string())
        }
        Err(_) => return Outcome::Skip("needs a run to completion".to_owned()),
    };
    let mut problems = Vec::new();
    let mut names = HashSet::new();
    for port in &output.ports {
        let name = port.spec.name.as_str();
        if name.is_empty() || !names.insert(name) {
            problems.push(format!("port name `{name}` is empty or declared twice"));
        }
        if port.spec.kind == PortKind::DATASET && port.items.len() != 1 {
            problems.push(format!(
                "dataset `{name}` produced {} items, expected exactly one",
                port.items.len()
            ));
        }
    }
    if problems.is_empty() {
        Outcome::Pass(String::new())
    } else {
        Outcome::Fail(problems.join("; "))
    }
}

fn deterministic(
    plugin: &PluginUnderTest,
    scenario: &Scenario,
    first: &Result<RunOutput, HarnessError>,
) -> Outcome {
    if !plugin.handle().deterministic() {
        return Outcome::Skip("the plugin does not claim to be deterministic".to_owned());
    }
    let Ok(first) = first else {
        return Outcome::Skip("needs a run to completion".to_owned());
    };
    let second = match scenario.run(plugin) {
        Ok(second) => second,
        Err(e) => return Outcome::Fail(format!("the second run failed: {e}")),
    };
    let differing: Vec<String> = first
        .sha256_per_port()
        .into_iter()
        .zip(second.sha256_per_port())
        .filter(|(a, b)| a != b)
        .map(|((port, a), (_, b))| format!("`{port}` {}… then {}…", &a[..12], &b[..12]))
        .collect();
    if differing.is_empty() {
        Outcome::Pass("identical SHA-256 on two runs".to_owned())
    } else {
        Outcome::Fail(format!(
            "claims to be deterministic, but two runs differ: {}",
            differing.join(", ")
        ))
    }
}

fn bad_params_rejected(
    plugin: &PluginUnderTest,
    scenario: &Scenario,
    schema: Option<&ParamSchema>,
) -> Outcome {
    let Some(schema) = schema else {
        return Outcome::Skip("needs a valid schema to know which parameters are bad".to_owned());
    };
    let variants = schema.rejected_variants(&scenario.params);
    let mut accepted = 0;
    for params in &variants {
        match plugin.outputs(params, &scenario.inputs) {
            Ok(_) => accepted += 1,
            Err(e) if e.is_panic() => return Outcome::Fail(format!("parameters {params}: {e}")),
            Err(_) => {}
        }
    }
    let note = format!(
        "{} schema-invalid parameter document(s) tried",
        variants.len()
    );
    if accepted == 0 {
        Outcome::Pass(note)
    } else {
        // The host validates parameters against the schema before `outputs`,
        // so a plugin need not repeat every rule: only a panic fails.
        Outcome::Pass(format!(
            "{note}, {accepted} accepted without error (the host validates first)"
        ))
    }
}

fn panic_becomes_error(plugin: &PluginUnderTest, scenario: &Scenario) -> Outcome {
    match &scenario.panic_params {
        Some(params) => injected_panic(plugin, scenario, params),
        None => malformed_items(plugin, scenario),
    }
}

/// With fault injection: the run must end in a panic error naming the plugin,
/// after which the stage must refuse `finish`.
fn injected_panic(
    plugin: &PluginUnderTest,
    scenario: &Scenario,
    params: &serde_json::Value,
) -> Outcome {
    let mut stage = match plugin.start(params, &scenario.inputs) {
        Ok(stage) => stage,
        Err(e) => {
            return Outcome::Fail(format!(
                "fault-injection parameters {params} do not start: {e}"
            ))
        }
    };
    let error = match scenario.inputs.as_slice() {
        [] => (0..=2).find_map(|_| stage.poll().err()),
        inputs => inputs
            .iter()
            .enumerate()
            .flat_map(|(input, stream)| stream.items.iter().map(move |item| (input, item)))
            .find_map(|(input, item)| stage.receive(input, item).err()),
    };
    let Some(error) = error else {
        return Outcome::Fail(format!("parameters {params} did not make the stage fail"));
    };
    if !error.is_panic() || !error.to_string().contains(&format!("`{}`", plugin.name())) {
        return Outcome::Fail(format!(
            "expected a panic reported as an error naming the plugin, got: {error}"
        ));
    }
    if stage.finish().is_ok() {
        return Outcome::Fail("after a panic the stage still accepted `finish`".to_owned());
    }
    Outcome::Pass(format!(
        "`{FAULT_INJECTION_PARAMETER}` panic came back as: {error}"
    ))
}

/// Without fault injection: malformed items (empty, of a foreign element type,
/// on an input that does not exist) must each come back as a result; if one
/// panicked, the guard turned it into an error and the stage must then refuse calls.
fn malformed_items(plugin: &PluginUnderTest, scenario: &Scenario) -> Outcome {
    let mut stage = match plugin.start(&scenario.params, &scenario.inputs) {
        Ok(stage) => stage,
        Err(e) => return Outcome::Skip(format!("needs a stage that starts: {e}")),
    };
    let empty = OwnedItem {
        data: macroscope_plugin_api::ArrayData::from_vec(Vec::<u8>::new()),
        shape: vec![0, 0],
        meta: vec![],
    };
    let foreign = OwnedItem::new(vec![-1i8], &[1], vec![Scalar::Int(-1)]);
    let nowhere = scenario.inputs.len();
    let probes = [(0, &empty), (0, &foreign), (nowhere, &foreign)];
    let mut panicked = None;
    for (input, item) in probes {
        if let Err(e) = stage.receive(input, item) {
            if e.is_panic() && panicked.is_none() {
                panicked = Some(e);
            }
        }
    }
    match panicked {
        None => Outcome::Pass(format!(
            "no `{FAULT_INJECTION_PARAMETER}` parameter to inject a panic; malformed items were answered without crashing"
        )),
        Some(e) if stage.finish().is_err() => Outcome::Pass(format!("a malformed item made it panic, reported as: {e}")),
        Some(e) => Outcome::Fail(format!("after a panic ({e}) the stage still accepted `finish`")),
    }
}
