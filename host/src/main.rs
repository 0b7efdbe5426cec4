//! The `macroscope` binary: parses arguments and hands over to [`macroscope::cli`].

fn main() -> std::process::ExitCode {
    macroscope::cli::main()
}
