//! The page: from `static_dir` when configured, else from `dist/` — embedded in the binary in
//! release builds, read from disk in debug builds (so a rebuilt UI shows without recompiling).

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "../dist"]
#[allow_missing = true]
struct Ui;

/// Serves an embedded file, `index.html` for directories; 404 with a hint when the UI was not
/// built into this binary.
pub async fn embedded(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    match Ui::get(&path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
                (header::CACHE_CONTROL, "no-cache".to_owned()),
            ],
            file.data,
        )
            .into_response(),
        None if Ui::iter().next().is_none() => (
            StatusCode::NOT_FOUND,
            "The page is not built into this relay. Build the UI (see README) or set static_dir.\n",
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}
