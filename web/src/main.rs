//! Nothing starts here: the loader (`widget.js`), which the page uses too, knows the origin it
//! was loaded from and mounts through the exported `mountAll` (see `mount.rs`).
fn main() {
    // A binary that names nothing of the library links none of it, its exports included: keep
    // the mounting functions `widget.js` calls.
    std::hint::black_box((
        inbox_doctor_web::mount::mount_all as fn(String),
        inbox_doctor_web::mount::mount
            as fn(web_sys::HtmlElement, String, Option<String>, Option<String>),
    ));
}
