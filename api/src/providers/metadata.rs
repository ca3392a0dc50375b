//! Image file metadata: strip what a file carries (EXIF, XMP, text chunks, comments) or embed the
//! generation's prompt, seed and model (PNG text chunks; EXIF in JPEG and WebP).
//!
//! Only metadata containers are touched; the compressed pixels are copied as they are.

use img_parts::jpeg::{Jpeg, markers};
use img_parts::png::{Png, PngChunk};
use img_parts::riff::{RiffChunk, RiffContent};
use img_parts::webp::{CHUNK_EXIF, CHUNK_VP8X, WebP};
use img_parts::{Bytes, ImageEXIF};
use zimage_shared::generation::OutputFormat;

/// What a downloaded file says about how it was made.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Provenance {
    pub prompt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// None for models that take no seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    pub model: String,
    pub width: u32,
    pub height: u32,
}

/// The name written as the creating software.
pub const SOFTWARE: &str = "Z-Image Studio";

const PNG_TEXT_CHUNKS: [[u8; 4]; 5] = [*b"tEXt", *b"iTXt", *b"zTXt", *b"eXIf", *b"tIME"];
const WEBP_XMP: [u8; 4] = *b"XMP ";
/// VP8X flag bits.
const VP8X_EXIF: u8 = 0x08;
const VP8X_XMP: u8 = 0x04;

/// The file without descriptive metadata (colour profiles stay: they are not about anyone).
pub fn strip(bytes: &[u8], format: OutputFormat) -> anyhow::Result<Vec<u8>> {
    let input = Bytes::copy_from_slice(bytes);
    Ok(match format {
        OutputFormat::Png => {
            let mut png = Png::from_bytes(input)?;
            png.chunks_mut()
                .retain(|c| !PNG_TEXT_CHUNKS.contains(&c.kind()));
            png.encoder().bytes().to_vec()
        }
        OutputFormat::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(input)?;
            jpeg.segments_mut().retain(|s| {
                !matches!(
                    s.marker(),
                    markers::APP1 | markers::APP12 | markers::APP13 | markers::COM
                )
            });
            jpeg.encoder().bytes().to_vec()
        }
        OutputFormat::Webp => {
            let mut webp = WebP::from_bytes(input)?;
            webp.remove_chunks_by_id(CHUNK_EXIF);
            webp.remove_chunks_by_id(WEBP_XMP);
            set_vp8x_flags(&mut webp, 0, VP8X_EXIF | VP8X_XMP);
            webp.encoder().bytes().to_vec()
        }
    })
}

/// The file, stripped, with the provenance embedded.
pub fn embed(bytes: &[u8], format: OutputFormat, about: &Provenance) -> anyhow::Result<Vec<u8>> {
    let stripped = Bytes::from(strip(bytes, format)?);
    let comment = serde_json::to_string(about)?;
    Ok(match format {
        OutputFormat::Png => {
            let mut png = Png::from_bytes(stripped)?;
            let at = png
                .chunks()
                .iter()
                // Before the pixels, where readers that stop at the image data still see them.
                .position(|c| &c.kind() == b"IDAT")
                .unwrap_or(png.chunks().len());
            let texts = [
                ("Description", about.prompt.as_str()),
                ("Software", SOFTWARE),
                ("Source", about.model.as_str()),
                ("Comment", comment.as_str()),
            ];
            for (offset, (keyword, text)) in texts.into_iter().enumerate() {
                png.chunks_mut()
                    .insert(at + offset, PngChunk::new(*b"iTXt", itxt(keyword, text)));
            }
            png.encoder().bytes().to_vec()
        }
        OutputFormat::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(stripped)?;
            jpeg.set_exif(Some(Bytes::from(exif(&about.prompt, &comment))));
            jpeg.encoder().bytes().to_vec()
        }
        OutputFormat::Webp => {
            let mut webp = WebP::from_bytes(stripped)?;
            webp.set_exif(Some(Bytes::from(exif(&about.prompt, &comment))));
            set_vp8x_flags(&mut webp, VP8X_EXIF, 0);
            webp.encoder().bytes().to_vec()
        }
    })
}

/// An uncompressed international text chunk: keyword, flags, empty language tags, UTF-8 text.
fn itxt(keyword: &str, text: &str) -> Bytes {
    let mut out = Vec::with_capacity(keyword.len() + text.len() + 5);
    out.extend_from_slice(keyword.as_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 0]);
    out.extend_from_slice(text.as_bytes());
    Bytes::from(out)
}

/// Sets and clears bits of the VP8X header's flags, when there is one.
fn set_vp8x_flags(webp: &mut WebP, set: u8, clear: u8) {
    let Some(index) = webp.chunks().iter().position(|c| c.id() == CHUNK_VP8X) else {
        return;
    };
    let Some(data) = webp.chunks()[index].content().data() else {
        return;
    };
    let mut header = data.to_vec();
    if let Some(flags) = header.first_mut() {
        *flags = (*flags | set) & !clear;
    }
    webp.chunks_mut()[index] = RiffChunk::new(CHUNK_VP8X, RiffContent::Data(Bytes::from(header)));
}

/// A little-endian TIFF structure with ImageDescription and Software in IFD0 and a UserComment
/// (UTF-16, "UNICODE") in the Exif IFD.
fn exif(description: &str, comment: &str) -> Vec<u8> {
    const ASCII: u16 = 2;
    const LONG: u16 = 4;
    const UNDEFINED: u16 = 7;
    let mut description = description.as_bytes().to_vec();
    description.push(0);
    let mut software = SOFTWARE.as_bytes().to_vec();
    software.push(0);
    let mut user_comment = b"UNICODE\0".to_vec();
    for unit in comment.encode_utf16() {
        user_comment.extend_from_slice(&unit.to_le_bytes());
    }
    // Layout: header (8) | IFD0: 3 entries | Exif IFD: 1 entry | values.
    let ifd_len = |entries: usize| 2 + entries * 12 + 4;
    let ifd0_at = 8;
    let exif_ifd_at = ifd0_at + ifd_len(3);
    let mut values_at = exif_ifd_at + ifd_len(1);
    let mut values = Vec::new();
    let mut place = |data: &[u8], values: &mut Vec<u8>| -> u32 {
        let at = values_at;
        values.extend_from_slice(data);
        values_at += data.len();
        if data.len() % 2 == 1 {
            values.push(0);
            values_at += 1;
        }
        u32::try_from(at).unwrap_or(u32::MAX)
    };
    let entry = |out: &mut Vec<u8>, tag: u16, kind: u16, count: usize, value: u32| {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&u32::try_from(count).unwrap_or(u32::MAX).to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    };
    let description_at = place(&description, &mut values);
    let software_at = place(&software, &mut values);
    let comment_at = place(&user_comment, &mut values);

    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut out, 0x010E, ASCII, description.len(), description_at);
    entry(&mut out, 0x0131, ASCII, software.len(), software_at);
    entry(
        &mut out,
        0x8769,
        LONG,
        1,
        u32::try_from(exif_ifd_at).unwrap_or(u32::MAX),
    );
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    entry(&mut out, 0x9286, UNDEFINED, user_comment.len(), comment_at);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&values);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::render;

    fn about() -> Provenance {
        Provenance {
            prompt: "a glass lighthouse — 灯塔".into(),
            negative_prompt: None,
            seed: Some(42),
            model: "z-image-local".into(),
            width: 64,
            height: 64,
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn every_format_keeps_its_pixels_and_gains_or_loses_the_metadata() {
        for format in [OutputFormat::Png, OutputFormat::Jpeg, OutputFormat::Webp] {
            let original = render::render("lighthouse", 42, 64, 64, format).unwrap();
            let pixels = image::load_from_memory(&original).unwrap().to_rgba8();
            let kept = embed(&original, format, &about()).unwrap();
            // PNG text chunks and EXIF ImageDescription both carry the prompt as UTF-8.
            assert!(
                contains(&kept, "a glass lighthouse — 灯塔".as_bytes()),
                "{format:?}: prompt embedded"
            );
            assert!(contains(&kept, b"Z-Image Studio"), "{format:?}");
            let decoded = image::load_from_memory(&kept).unwrap().to_rgba8();
            assert_eq!(decoded, pixels, "{format:?}: pixels unchanged");

            let stripped = strip(&kept, format).unwrap();
            assert!(
                !contains(&stripped, b"Z-Image Studio"),
                "{format:?}: stripped"
            );
            assert!(!contains(&stripped, b"lighthouse"), "{format:?}");
            assert_eq!(
                image::load_from_memory(&stripped).unwrap().to_rgba8(),
                pixels
            );
        }
    }

    #[test]
    fn png_text_is_readable_by_a_png_decoder() {
        let original = render::render("x", 1, 32, 32, OutputFormat::Png).unwrap();
        let kept = embed(&original, OutputFormat::Png, &about()).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(kept));
        let reader = decoder.read_info().unwrap();
        let texts: Vec<(String, String)> = reader
            .info()
            .utf8_text
            .iter()
            .map(|t| (t.keyword.clone(), t.get_text().unwrap()))
            .collect();
        assert!(texts.contains(&("Description".into(), "a glass lighthouse — 灯塔".into())));
        let comment = &texts.iter().find(|(k, _)| k == "Comment").unwrap().1;
        let json: serde_json::Value = serde_json::from_str(comment).unwrap();
        assert_eq!(
            (json["seed"].as_i64(), json["model"].as_str()),
            (Some(42), Some("z-image-local"))
        );
    }

    #[test]
    fn webp_exif_sets_the_extended_header_flag() {
        let original = render::render("x", 1, 32, 32, OutputFormat::Webp).unwrap();
        let kept = embed(&original, OutputFormat::Webp, &about()).unwrap();
        let webp = WebP::from_bytes(Bytes::from(kept.clone())).unwrap();
        let flags = webp
            .chunk_by_id(CHUNK_VP8X)
            .unwrap()
            .content()
            .data()
            .unwrap()[0];
        assert_eq!(flags & VP8X_EXIF, VP8X_EXIF);
        assert!(webp.exif().unwrap().starts_with(b"II*\0"));
        let stripped =
            WebP::from_bytes(Bytes::from(strip(&kept, OutputFormat::Webp).unwrap())).unwrap();
        assert!(stripped.exif().is_none());
    }
}
