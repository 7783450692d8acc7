//! Logs go to stderr, never stdout, each line prefixed `pidone:`.

use std::io::Write;

use log::LevelFilter;

/// `PIDONE_LOG` (env_logger filter syntax) wins over the verbosity level:
/// 0 errors only, 1 warnings (the default), 2 info, 3 and up debug.
pub fn init(verbosity: u8, filter: Option<&str>) {
    let mut builder = env_logger::Builder::new();
    builder.target(env_logger::Target::Stderr);
    builder.format(|out, record| {
        let tag = match record.level() {
            log::Level::Error | log::Level::Info => "",
            log::Level::Warn => "warning: ",
            log::Level::Debug | log::Level::Trace => "debug: ",
        };
        writeln!(out, "pidone: {tag}{}", record.args())
    });
    match filter {
        Some(spec) => {
            builder.parse_filters(spec);
        }
        None => {
            builder.filter_level(level(verbosity));
        }
    }
    // Fails only if a logger is already set, which cannot happen here.
    let _ = builder.try_init();
}

fn level(verbosity: u8) -> LevelFilter {
    match verbosity {
        0 => LevelFilter::Error,
        1 => LevelFilter::Warn,
        2 => LevelFilter::Info,
        _ => LevelFilter::Debug,
    }
}
