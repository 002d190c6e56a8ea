//! The `rocklift` binary: command-line arguments in, exit code out (0 ok, 1 bad data, 2 bad usage). All printing happens under here.

mod cli;

fn main() {
    // A panic the xlsx readers catch (a malformed workbook) is reported as bad data, not printed as a crash.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !rocklift::inventory::xlsx_guard::in_guard() {
            report(info);
        }
    }));
    let code = match cli::run() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
