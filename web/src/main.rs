fn main() {
    inbox_doctor_web::mount::mount_all();
}
