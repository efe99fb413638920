#![no_main]

// Each target drives one of the entry points; the others are for the other targets.
#[allow(dead_code)]
#[path = "../entry_points.rs"]
mod entry_points;

libfuzzer_sys::fuzz_target!(|data: &[u8]| entry_points::liquid(data));
