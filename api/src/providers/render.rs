//! The local provider's renderer: an abstract composition (gradient and soft discs) whose
//! palette and layout follow from (prompt, seed, size), so identical inputs give byte-identical
//! files and any change of input gives a different image. Also makes gallery thumbnails.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder, RgbImage};
use sha2::{Digest, Sha256};
use zimage_shared::generation::OutputFormat;

use super::ImageData;

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

/// A disc of the picture: centre, radius, colour, opacity.
type Disc = ([f32; 2], f32, [f32; 3], f32);

/// What the local renderer paints: a two-colour gradient along a direction, then soft discs.
struct Scene {
    width: u32,
    height: u32,
    top: [f32; 3],
    bottom: [f32; 3],
    direction: (f32, f32),
    discs: Vec<Disc>,
}

impl Scene {
    /// The scene for these inputs (the same inputs always give the same scene).
    fn new(prompt: &str, seed: u64, width: u32, height: u32) -> Self {
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
        let (w, h) = (width as f32, height as f32);
        let scale = w.max(h);
        let discs = (0..6 + rng.next() % 9)
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
        Self {
            width,
            height,
            top,
            bottom,
            direction: (angle.cos(), angle.sin()),
            discs,
        }
    }

    /// The background colour at a pixel centre.
    fn gradient(&self, fx: f32, fy: f32) -> [f32; 3] {
        let (w, h) = (self.width as f32, self.height as f32);
        let (dx, dy) = self.direction;
        let t = (((fx / w - 0.5) * dx + (fy / h - 0.5) * dy) + 0.75).clamp(0.0, 1.0) / 1.5 + 0.167;
        std::array::from_fn(|i| self.top[i] + (self.bottom[i] - self.top[i]) * t)
    }
}

/// Blends one disc into a pixel whose centre is `d2` (squared) from the disc's centre.
fn blend(c: &mut [f32; 3], d2: f32, &(_, radius, colour, opacity): &Disc) {
    let d = d2.sqrt();
    // Soft edge: full inside, fading over the outer fifth.
    let edge = ((radius - d) / (radius * 0.2)).clamp(0.0, 1.0) * opacity;
    for i in 0..3 {
        c[i] += (colour[i] - c[i]) * edge;
    }
}

fn to_byte(v: f32) -> u8 {
    // Adding a half and truncating rounds as `round()` does for these non-negative values, without
    // a call into libm for every channel of every pixel (4 % of the pipeline's CPU).
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

/// Renders the RGB pixels for these inputs.
pub fn render_pixels(prompt: &str, seed: u64, width: u32, height: u32) -> RgbImage {
    paint(&Scene::new(prompt, seed, width, height))
}

fn paint(scene: &Scene) -> RgbImage {
    let width = scene.width;
    // Row by row: the background gradient, then each disc in turn over the columns its circle
    // can cover on this row (the exact inside test still decides each pixel). Every pixel gets
    // the same arithmetic in the same order as testing every disc at every pixel would, only
    // without visiting the pixels a disc misses.
    let mut image = RgbImage::new(width, scene.height);
    let mut row = vec![[0.0f32; 3]; width as usize];
    for (y, out) in image
        .as_mut()
        .chunks_exact_mut(width as usize * 3)
        .enumerate()
    {
        let fy = y as f32 + 0.5;
        for (x, c) in row.iter_mut().enumerate() {
            *c = scene.gradient(x as f32 + 0.5, fy);
        }
        for disc in &scene.discs {
            let (centre, radius, _, _) = *disc;
            let dy2 = (fy - centre[1]).powi(2);
            let r2 = radius * radius;
            if dy2 >= r2 {
                continue; // the disc misses this row
            }
            let half = (r2 - dy2).sqrt();
            // A column or two of slack either side for rounding; the test below is exact.
            let from = (centre[0] - half - 1.5).floor().max(0.0) as usize;
            let to = ((centre[0] + half + 1.5).ceil().max(0.0) as usize).min(row.len());
            for (x, c) in row.iter_mut().enumerate().take(to).skip(from) {
                let d2 = (x as f32 + 0.5 - centre[0]).powi(2) + dy2;
                if d2 < r2 {
                    blend(c, d2, disc);
                }
            }
        }
        for (px, c) in out.chunks_exact_mut(3).zip(&row) {
            for i in 0..3 {
                px[i] = to_byte(c[i]);
            }
        }
    }
    image
}

/// Quality (0–100) of the lossy encodings we write: JPEG and WebP.
pub const LOSSY_QUALITY: u8 = 90;

/// WebP, lossy at [`LOSSY_QUALITY`], of 8-bit RGB or RGBA pixels (libwebp: the image crate writes
/// lossless WebP only, several times larger than the lossy file it replaces).
pub fn webp_lossy(
    raw: &[u8],
    alpha: bool,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, image::ImageError> {
    let channels = if alpha { 4 } else { 3 };
    if raw.len() as u64 != u64::from(width) * u64::from(height) * channels {
        return Err(image::ImageError::Parameter(
            image::error::ParameterError::from_kind(
                image::error::ParameterErrorKind::DimensionMismatch,
            ),
        ));
    }
    let encoder = if alpha {
        webp::Encoder::from_rgba(raw, width, height)
    } else {
        webp::Encoder::from_rgb(raw, width, height)
    };
    encoder
        .encode_simple(false, f32::from(LOSSY_QUALITY))
        .map(|memory| memory.to_vec())
        .map_err(|e| {
            image::ImageError::Encoding(image::error::EncodingError::new(
                image::ImageFormat::WebP.into(),
                format!("libwebp: {e:?}"),
            ))
        })
}

/// Encodes pixels in `format`: PNG lossless, JPEG and WebP lossy at [`LOSSY_QUALITY`].
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
        OutputFormat::Jpeg => JpegEncoder::new_with_quality(&mut out, LOSSY_QUALITY).write_image(
            image.as_raw(),
            w,
            h,
            ExtendedColorType::Rgb8,
        )?,
        OutputFormat::Webp => out = webp_lossy(image.as_raw(), false, w, h)?,
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

/// Whether an image of this size is its own gallery preview: no side longer than
/// [`THUMBNAIL_SIDE`], so a WebP copy of it would be the same pixels stored twice.
pub fn is_own_preview(width: u32, height: u32) -> bool {
    width.max(height) <= THUMBNAIL_SIDE
}

/// The gallery preview of decoded pixels: `None` when the image is its own preview (see
/// [`is_own_preview`]), otherwise a WebP whose longest side is [`THUMBNAIL_SIDE`].
pub fn preview_of(source: &RgbImage) -> Result<Option<Vec<u8>>, image::ImageError> {
    let (w, h) = source.dimensions();
    if is_own_preview(w, h) {
        return Ok(None);
    }
    let factor = THUMBNAIL_SIDE as f32 / w.max(h) as f32;
    let (tw, th) = (
        ((w as f32 * factor).round() as u32).max(1),
        ((h as f32 * factor).round() as u32).max(1),
    );
    encode(
        &image::imageops::thumbnail(source, tw, th),
        OutputFormat::Webp,
    )
    .map(Some)
}

/// Longest side of a delivered image we decode; larger ones are refused, not decoded.
pub const MAX_DELIVERED_SIDE: u32 = 8192;

/// Most memory one decode may take.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// A delivered image ready to store.
pub struct Kept {
    /// The file to store: the provider's own (in memory or spooled), or our conversion.
    pub data: ImageData,
    pub format: OutputFormat,
    /// As delivered, which may differ from what was asked.
    pub width: u32,
    pub height: u32,
    pub len: u64,
    pub sha256: Vec<u8>,
    /// The gallery preview; `None` when the image is its own.
    pub preview: Option<Vec<u8>>,
}

/// Decodes in full within our limits on size and memory.
fn decode<R: std::io::BufRead + std::io::Seek>(
    reader: image::ImageReader<R>,
) -> Result<RgbImage, image::ImageError> {
    let mut reader = reader.with_guessed_format()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DELIVERED_SIDE);
    limits.max_image_height = Some(MAX_DELIVERED_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    Ok(reader.decode()?.to_rgb8())
}

/// Size and SHA-256 of a file, read in pieces.
fn digest_file(path: &std::path::Path) -> std::io::Result<(u64, Vec<u8>)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let (mut hasher, mut buffer, mut len) = (Sha256::new(), vec![0u8; 64 * 1024], 0u64);
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok((len, hasher.finalize().to_vec()));
        }
        len += n as u64;
        hasher.update(&buffer[..n]);
    }
}

/// Makes a delivered image ready to store: decoded in full (an image that does not decode is
/// refused), converted to `want` when it was delivered in another format (the provider's file is
/// kept as it is otherwise, a spooled one still on disk), measured as delivered, with its
/// gallery preview. `pixels` are the decoded picture when the provider has them (the built-in
/// renderer).
pub fn keep(
    data: ImageData,
    format: OutputFormat,
    pixels: Option<std::sync::Arc<RgbImage>>,
    want: OutputFormat,
) -> Result<Kept, image::ImageError> {
    let pixels = match (pixels, &data) {
        (Some(pixels), _) => pixels,
        (None, ImageData::Bytes(bytes)) => std::sync::Arc::new(decode(image::ImageReader::new(
            std::io::Cursor::new(bytes.as_slice()),
        ))?),
        (None, ImageData::Spooled(file)) => {
            std::sync::Arc::new(decode(image::ImageReader::open(file.path())?)?)
        }
    };
    let (width, height) = pixels.dimensions();
    let data = if format == want {
        data
    } else {
        ImageData::Bytes(encode(&pixels, want)?)
    };
    let (len, sha256) = match &data {
        ImageData::Bytes(bytes) => (bytes.len() as u64, Sha256::digest(bytes).to_vec()),
        ImageData::Spooled(file) => digest_file(file.path())?,
    };
    Ok(Kept {
        data,
        format: want,
        width,
        height,
        len,
        sha256,
        preview: preview_of(&pixels)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The renderer as first written: every disc tested at every pixel.
    fn paint_each_pixel(scene: &Scene) -> RgbImage {
        RgbImage::from_fn(scene.width, scene.height, |x, y| {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let mut c = scene.gradient(fx, fy);
            for disc in &scene.discs {
                let (centre, radius, _, _) = *disc;
                let d2 = (fx - centre[0]).powi(2) + (fy - centre[1]).powi(2);
                if d2 < radius * radius {
                    blend(&mut c, d2, disc);
                }
            }
            image::Rgb(c.map(to_byte))
        })
    }

    #[test]
    fn painting_by_rows_matches_testing_every_disc_at_every_pixel() {
        for (prompt, seed, w, h) in [
            ("a lighthouse at dusk", 1, 256, 256),
            ("a lighthouse at dusk", 2, 64, 512),
            ("rain on glass", 7, 512, 64),
            ("x", 42, 1, 1),
            ("a wide field", 9, 301, 7),
            ("discs at the edges", 123_456, 96, 160),
        ] {
            for seed in seed..seed + 20 {
                let scene = Scene::new(prompt, seed, w, h);
                assert!(
                    paint(&scene) == paint_each_pixel(&scene),
                    "{prompt} seed {seed} {w}×{h}"
                );
            }
        }
    }

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
    fn previews_are_small_webp_keeping_the_ratio() {
        let original = render("thumb", 3, 800, 400, OutputFormat::Png).unwrap();
        let preview = |bytes: &[u8]| {
            keep(
                ImageData::Bytes(bytes.to_vec()),
                OutputFormat::Png,
                None,
                OutputFormat::Png,
            )
            .map(|kept| kept.preview)
        };
        let thumb = preview(&original).unwrap().expect("larger than a preview");
        assert_eq!(
            image::guess_format(&thumb).unwrap(),
            image::ImageFormat::WebP
        );
        let decoded = image::load_from_memory(&thumb).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (384, 192));
        let pixels = render_pixels("thumb", 3, 800, 400);
        assert_eq!(preview_of(&pixels).unwrap().as_deref(), Some(&thumb[..]));
        assert!(preview(b"not an image").is_err());
    }

    #[test]
    fn an_image_no_larger_than_a_preview_is_its_own() {
        for (w, h, own) in [
            (384, 256, true),
            (256, 384, true),
            (385, 64, false),
            (64, 400, false),
        ] {
            assert_eq!(is_own_preview(w, h), own, "{w}x{h}");
            let original = render("small", 1, w, h, OutputFormat::Jpeg).unwrap();
            let kept = keep(
                ImageData::Bytes(original),
                OutputFormat::Jpeg,
                None,
                OutputFormat::Jpeg,
            );
            assert_eq!(kept.unwrap().preview.is_none(), own, "{w}x{h}");
            let pixels = render_pixels("small", 1, w, h);
            assert_eq!(preview_of(&pixels).unwrap().is_none(), own, "{w}x{h}");
        }
    }
}
