//! The local provider's renderer: an abstract composition (gradient and soft discs) whose
//! palette and layout follow from (prompt, seed, size), so identical inputs give byte-identical
//! files and any change of input gives a different image. Also makes gallery thumbnails.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use sha2::{Digest, Sha256};
use zimage_shared::generation::OutputFormat;

/// Longest side of a gallery thumbnail.
pub const THUMBNAIL_SIDE: u32 = 384;

/// SplitMix64: small, fast and fully determined by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn hsv(h: f32, s: f32, v: f32) -> [f32; 3] {
    let h = (h.rem_euclid(1.0)) * 6.0;
    let i = h.floor();
    let f = h - i;
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
    match i as u32 % 6 {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

/// Renders the RGB pixels for these inputs.
pub fn render_pixels(prompt: &str, seed: u64, width: u32, height: u32) -> RgbImage {
    let digest = Sha256::new()
        .chain_update(prompt.as_bytes())
        .chain_update([0])
        .chain_update(seed.to_le_bytes())
        .chain_update(width.to_le_bytes())
        .chain_update(height.to_le_bytes())
        .finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    let mut rng = Rng(u64::from_le_bytes(bytes));

    let base_hue = rng.unit();
    let top = hsv(base_hue, 0.55 + 0.3 * rng.unit(), 0.35 + 0.3 * rng.unit());
    let bottom = hsv(base_hue + 0.15 + 0.2 * rng.unit(), 0.6, 0.85);
    let angle = rng.unit() * std::f32::consts::TAU;
    let (dx, dy) = (angle.cos(), angle.sin());

    let (w, h) = (width as f32, height as f32);
    let scale = w.max(h);
    let discs: Vec<([f32; 2], f32, [f32; 3], f32)> = (0..6 + rng.next() % 9)
        .map(|_| {
            let centre = [rng.unit() * w, rng.unit() * h];
            let radius = scale * (0.05 + 0.25 * rng.unit());
            let colour = hsv(
                base_hue + rng.unit() * 0.6 - 0.3,
                0.5 + 0.5 * rng.unit(),
                0.6 + 0.4 * rng.unit(),
            );
            let opacity = 0.35 + 0.5 * rng.unit();
            (centre, radius, colour, opacity)
        })
        .collect();

    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let t = (((fx / w - 0.5) * dx + (fy / h - 0.5) * dy) + 0.75).clamp(0.0, 1.0) / 1.5 + 0.167;
        let mut c = [0.0f32; 3];
        for i in 0..3 {
            c[i] = top[i] + (bottom[i] - top[i]) * t;
        }
        for (centre, radius, colour, opacity) in &discs {
            let d2 = (fx - centre[0]).powi(2) + (fy - centre[1]).powi(2);
            if d2 >= radius * radius {
                continue; // outside the disc: its edge factor would be 0 and change nothing
            }
            let d = d2.sqrt();
            // Soft edge: full inside, fading over the outer fifth.
            let edge = ((radius - d) / (radius * 0.2)).clamp(0.0, 1.0) * opacity;
            for i in 0..3 {
                c[i] += (colour[i] - c[i]) * edge;
            }
        }
        image::Rgb(c.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8))
    })
}

/// Encodes pixels in `format` (PNG and WebP lossless, JPEG at quality 90).
pub fn encode(image: &RgbImage, format: OutputFormat) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    let (w, h) = image.dimensions();
    match format {
        OutputFormat::Png => {
            // Fast deflate: the local renderer stands in for a model, and compressing harder
            // cost a fifth of a pipeline task's CPU for a few percent of file size.
            PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
                .write_image(image.as_raw(), w, h, ExtendedColorType::Rgb8)?
        }
        OutputFormat::Jpeg => JpegEncoder::new_with_quality(&mut out, 90).write_image(
            image.as_raw(),
            w,
            h,
            ExtendedColorType::Rgb8,
        )?,
        OutputFormat::Webp => WebPEncoder::new_lossless(&mut out).write_image(
            image.as_raw(),
            w,
            h,
            ExtendedColorType::Rgb8,
        )?,
    }
    Ok(out)
}

/// Renders and encodes one image.
pub fn render(
    prompt: &str,
    seed: u64,
    width: u32,
    height: u32,
    format: OutputFormat,
) -> Result<Vec<u8>, image::ImageError> {
    encode(&render_pixels(prompt, seed, width, height), format)
}

/// Image-to-image: the reference, scaled to the output size, blended with the rendering of
/// (prompt, seed) by `strength` (0 keeps the reference, 1 ignores it). Deterministic in all inputs.
pub fn render_from(
    reference: &[u8],
    strength: f32,
    prompt: &str,
    seed: u64,
    width: u32,
    height: u32,
    format: OutputFormat,
) -> Result<Vec<u8>, image::ImageError> {
    encode(
        &pixels_from(reference, strength, prompt, seed, width, height)?,
        format,
    )
}

/// The pixels of [`render_from`].
pub fn pixels_from(
    reference: &[u8],
    strength: f32,
    prompt: &str,
    seed: u64,
    width: u32,
    height: u32,
) -> Result<RgbImage, image::ImageError> {
    let base = image::load_from_memory(reference)?.to_rgb8();
    let base = image::imageops::resize(&base, width, height, image::imageops::FilterType::Triangle);
    let mut pixels = render_pixels(prompt, seed, width, height);
    let t = strength.clamp(0.0, 1.0);
    for (out, from) in pixels.pixels_mut().zip(base.pixels()) {
        for c in 0..3 {
            let mixed = f32::from(from[c]) * (1.0 - t) + f32::from(out[c]) * t;
            out[c] = mixed.round().clamp(0.0, 255.0) as u8;
        }
    }
    Ok(pixels)
}

/// A WebP thumbnail of any supported image, longest side at most [`THUMBNAIL_SIDE`].
pub fn thumbnail(bytes: &[u8]) -> Result<Vec<u8>, image::ImageError> {
    thumbnail_of(&image::load_from_memory(bytes)?.to_rgb8())
}

/// A WebP thumbnail of decoded pixels, longest side at most [`THUMBNAIL_SIDE`].
pub fn thumbnail_of(source: &RgbImage) -> Result<Vec<u8>, image::ImageError> {
    let (w, h) = source.dimensions();
    let factor = (THUMBNAIL_SIDE as f32 / w.max(h) as f32).min(1.0);
    let (tw, th) = (
        ((w as f32 * factor).round() as u32).max(1),
        ((h as f32 * factor).round() as u32).max(1),
    );
    if (tw, th) == (w, h) {
        // Already small enough: encode as is rather than resample 1:1.
        return encode(source, OutputFormat::Webp);
    }
    encode(
        &image::imageops::thumbnail(source, tw, th),
        OutputFormat::Webp,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_to_image_starts_from_the_reference() {
        let reference = render("a red square", 1, 64, 64, OutputFormat::Png).unwrap();
        let near = render_from(
            &reference,
            0.05,
            "a blue circle",
            2,
            64,
            64,
            OutputFormat::Png,
        )
        .unwrap();
        let far = render_from(
            &reference,
            0.95,
            "a blue circle",
            2,
            64,
            64,
            OutputFormat::Png,
        )
        .unwrap();
        let distance = |a: &[u8], b: &[u8]| {
            let (a, b) = (
                image::load_from_memory(a).unwrap().to_rgb8(),
                image::load_from_memory(b).unwrap().to_rgb8(),
            );
            a.as_raw()
                .iter()
                .zip(b.as_raw())
                .map(|(x, y)| u64::from(x.abs_diff(*y)))
                .sum::<u64>()
        };
        assert!(distance(&near, &reference) < distance(&far, &reference));
        assert_eq!(
            near,
            render_from(
                &reference,
                0.05,
                "a blue circle",
                2,
                64,
                64,
                OutputFormat::Png
            )
            .unwrap()
        );
    }

    #[test]
    fn same_inputs_give_identical_bytes_and_any_change_differs() {
        for format in [OutputFormat::Png, OutputFormat::Jpeg, OutputFormat::Webp] {
            let a = render("a lighthouse at dusk", 7, 96, 64, format).unwrap();
            assert_eq!(
                a,
                render("a lighthouse at dusk", 7, 96, 64, format).unwrap(),
                "{format:?}"
            );
            assert_ne!(
                a,
                render("a lighthouse at dusk", 8, 96, 64, format).unwrap(),
                "{format:?}"
            );
            assert_ne!(
                a,
                render("a lighthouse at dawn", 7, 96, 64, format).unwrap(),
                "{format:?}"
            );
        }
    }

    #[test]
    fn files_decode_to_the_requested_size_and_format() {
        for (format, expected) in [
            (OutputFormat::Png, image::ImageFormat::Png),
            (OutputFormat::Jpeg, image::ImageFormat::Jpeg),
            (OutputFormat::Webp, image::ImageFormat::WebP),
        ] {
            let bytes = render("size check", 1, 160, 90, format).unwrap();
            assert_eq!(image::guess_format(&bytes).unwrap(), expected);
            let decoded = image::load_from_memory(&bytes).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (160, 90));
        }
    }

    #[test]
    fn thumbnails_are_small_webp_keeping_the_ratio() {
        let original = render("thumb", 3, 800, 400, OutputFormat::Png).unwrap();
        let thumb = thumbnail(&original).unwrap();
        assert_eq!(
            image::guess_format(&thumb).unwrap(),
            image::ImageFormat::WebP
        );
        let decoded = image::load_from_memory(&thumb).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (384, 192));
        assert!(thumbnail(b"not an image").is_err());
    }
}
