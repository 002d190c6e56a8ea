//! The `rocklift` binary: command-line arguments in, exit code out (0 ok, 1 bad data, 2 bad usage). All printing happens under here.

mod cli;

fn main() {
    let code = match cli::run() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
