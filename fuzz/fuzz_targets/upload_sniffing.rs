//! Uploads: whatever bytes arrive, `clean` answers without panicking, and what it accepts is a
//! re-encoded PNG, JPEG or WebP of an allowed size that decodes to the size it reported.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zimage_api::domain::uploads::{MAX_SIDE, MIN_SIDE, clean};
use zimage_shared::generation::OutputFormat;

fuzz_target!(|data: &[u8]| {
    let Ok((bytes, format, width, height)) = clean(data) else {
        return;
    };
    assert!((MIN_SIDE..=MAX_SIDE).contains(&width), "width {width}");
    assert!((MIN_SIDE..=MAX_SIDE).contains(&height), "height {height}");
    let expected = match format {
        OutputFormat::Png => image::ImageFormat::Png,
        OutputFormat::Jpeg => image::ImageFormat::Jpeg,
        OutputFormat::Webp => image::ImageFormat::WebP,
    };
    assert_eq!(image::guess_format(&bytes).ok(), Some(expected));
    let decoded = image::load_from_memory(&bytes).expect("a cleaned image decodes");
    assert_eq!((decoded.width(), decoded.height()), (width, height));
});
