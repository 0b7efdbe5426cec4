//! `macroscope report`: one self-contained HTML page per run, written by
//! `run` beside its output and on demand. The page has every section, the
//! four figures embedded, the quality checks of the stored data; headless
//! Chromium (Debian `chromium`) renders it with every section's heading, a
//! picture that is not blank and no console message. The Chromium check is
//! skipped, with a note, where Chromium is not installed, unless
//! `MACROSCOPE_REQUIRE_CHROMIUM=1` (`.ci/run` sets it).

use macroscope_integration::{child, tools};
use std::path::{Path, PathBuf};

use crate::built_plugins::{plugin_dir, EXAMPLE};
use crate::pipeline_files::{write_pipeline, MAPS_RECORDING};

/// The sections' headings, in the page's order.
const SECTIONS: [&str; 7] = [
    "Summary",
    "Warnings",
    "Maps",
    "Quality checks",
    "Stages",
    "Session",
    "Pipeline",
];

/// Runs the smallest recording with maps as `dir/maps.h5`, figures and
/// report included; returns the run file.
fn run_with_maps(dir: &Path) -> PathBuf {
    let pipeline = write_pipeline(dir, "maps", MAPS_RECORDING);
    crate::cli::run_succeeds(|run| run.arg("-q").arg(&pipeline));
    dir.join("maps.h5")
}

#[test]
fn a_run_writes_its_report_beside_its_output_with_every_section() {
    let dir = tempfile::tempdir().unwrap();
    run_with_maps(dir.path());
    let page = std::fs::read_to_string(dir.path().join("maps-report.html")).unwrap();
    for heading in SECTIONS {
        assert!(page.contains(&format!("<h2>{heading}</h2>")), "{heading}");
    }
    assert!(page.contains("<strong class=\"status-complete\">complete</strong>"));
}

#[test]
fn a_failed_run_writes_its_report_with_the_status_and_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = plugin_dir(&[EXAMPLE]);
    let stages = format!(
        "{MAPS_RECORDING}\n[stages.stats]\nplugin = \"example-frame-stats\"\ninputs = [\"camera.frames\"]\nparams = {{ panic_at_frame = 3 }}\n"
    );
    let pipeline = write_pipeline(dir.path(), "maps", &stages);
    let output = crate::cli::macroscope()
        .args(["run", "-q"])
        .arg(&pipeline)
        .arg("--plugin-path")
        .arg(plugins.path())
        .output()
        .expect("the macroscope binary runs");
    assert_eq!(output.status.code(), Some(1));
    let page_path = dir.path().join("maps-report.html");
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains(&format!("report: {}", page_path.display())),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let page = std::fs::read_to_string(page_path).unwrap();
    assert!(page.contains("<strong class=\"status-failed\">failed</strong>"));
    assert!(
        page.contains("<td>stage `stats` (plugin `example-frame-stats`) failed: "),
        "{page}"
    );
}

#[test]
fn the_report_embeds_the_four_figures_and_links_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_with_maps(dir.path());
    let out = dir.path().join("elsewhere.html");
    let printed = crate::cli::macroscope()
        .arg("report")
        .arg(&run)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&printed.stdout).trim(),
        out.display().to_string()
    );
    let page = std::fs::read_to_string(&out).unwrap();
    assert_eq!(page.matches("src=\"data:image/png;base64,").count(), 4);
    for alt in ["azimuth", "altitude", "sign map", "areas"] {
        assert!(page.contains(&format!("<img alt=\"{alt}\"")), "{alt}");
    }
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"));
}

#[test]
fn the_quality_checks_count_the_frames_and_time_the_camera_clock() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_with_maps(dir.path());
    let file = hdf5::File::open(&run).unwrap();
    let camera = crate::run_file::stage_group(&file, "acquisitions", "camera");
    let frames = camera.dataset("frames").unwrap().shape()[0];
    let page = std::fs::read_to_string(dir.path().join("maps-report.html")).unwrap();
    // 5 frames/s, no jitter, nothing dropped.
    assert!(
        page.contains(&format!(
            "<tr><td>camera</td><td>{frames}</td><td>0</td><td>200.00 ms</td><td>0.00 ms</td><td>200.00 ms</td></tr>"
        )),
        "{page}"
    );
    for direction in ["LR", "RL", "BT", "TB"] {
        assert!(
            page.contains(&format!("<tr><td>{direction}</td><td>")),
            "{direction}"
        );
    }
    assert_eq!(
        page.matches("<td>100 %</td>").count(),
        4,
        "every pixel has a response in every direction"
    );
}

/// Runs headless Chromium on `page` with `args`; returns its stdout and stderr.
fn headless(chromium: &str, page: &Path, args: &[&str]) -> (String, String) {
    let output = child::command(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn headless_chromium_renders_the_report_with_every_section_and_no_console_message() {
    let Some(chromium) = tools::program(
        &["chromium", "chromium-browser"],
        "MACROSCOPE_REQUIRE_CHROMIUM",
        "chromium",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    run_with_maps(dir.path());
    let page = dir.path().join("maps-report.html");

    let (dom, log) = headless(&chromium, &page, &["--dump-dom"]);
    for heading in SECTIONS {
        assert!(
            dom.contains(&format!("<h2>{heading}</h2>")),
            "{heading} rendered"
        );
    }
    assert!(!log.contains(":CONSOLE"), "console messages:\n{log}");

    let shot = dir.path().join("report.png");
    headless(
        &chromium,
        &page,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let pixels = &pixels[..info.buffer_size()];
    let channels = info.color_type.samples();
    let coloured = pixels
        .chunks(channels)
        .filter(|p| p[..3].iter().any(|&c| c < 200))
        .count();
    let share = coloured as f64 / (pixels.len() / channels) as f64;
    assert!(
        share > 0.05,
        "only {:.1} % of the screenshot is not near white",
        share * 100.0
    );
}
