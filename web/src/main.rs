//! Entry point: mounts the console; everything else is in the library.

fn main() {
    leptos::mount::mount_to_body(coc_console::App);
}
