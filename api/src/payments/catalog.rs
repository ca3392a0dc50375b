//! The products on sale, from `ZIMAGE_CATALOG_FILE` or the built-in defaults.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use zimage_shared::account::Locale;
use zimage_shared::billing::{Product, ProductKind};

/// A product's name and description in another language; what is left out stays as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductText {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A product as the catalog file lists it: the product, and its texts in other languages by
/// locale tag (`"translations": {"zh-CN": {"name": …, "description": …}}`).
#[derive(Debug, Clone, Deserialize)]
pub struct Listed {
    #[serde(flatten)]
    pub product: Product,
    #[serde(default)]
    pub translations: BTreeMap<String, ProductText>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProductCatalog {
    pub packs: Vec<Listed>,
    pub plans: Vec<Listed>,
}

impl ProductCatalog {
    /// Loads and checks a catalog file, or the defaults when `path` is `None`.
    pub fn load(path: Option<&std::path::Path>) -> anyhow::Result<Self> {
        let text = match path {
            Some(path) => std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?,
            None => include_str!("default_catalog.json").to_string(),
        };
        let catalog: Self = serde_json::from_str(&text)
            .context("the catalog is not valid JSON of the documented shape")?;
        catalog.check()?;
        Ok(catalog)
    }

    fn check(&self) -> anyhow::Result<()> {
        let mut ids = HashSet::new();
        for (listed, kind) in self
            .packs
            .iter()
            .map(|p| (p, ProductKind::Pack))
            .chain(self.plans.iter().map(|p| (p, ProductKind::Plan)))
        {
            let product = &listed.product;
            if let Some(tag) = listed
                .translations
                .keys()
                .find(|t| Locale::parse(t).is_none())
            {
                bail!(
                    "catalog: {:?} has texts for {tag:?}; the languages are {}",
                    product.id,
                    Locale::ALL.map(Locale::as_str).join(", ")
                );
            }
            if !ids.insert(product.id.as_str()) {
                bail!("catalog: product id {:?} appears twice", product.id);
            }
            if product.kind != kind {
                bail!(
                    "catalog: {:?} is listed as a {} but says kind {:?}",
                    product.id,
                    kind.as_str(),
                    product.kind.as_str()
                );
            }
            if product.credits <= 0 || product.price_cents <= 0 {
                bail!("catalog: {:?} needs positive credits and price", product.id);
            }
            // Which codes Stripe takes depends on the account; Stripe refuses the rest at checkout.
            if product.currency.len() != 3
                || !product.currency.bytes().all(|b| b.is_ascii_lowercase())
            {
                bail!(
                    "catalog: {:?} currency must be a lower-case ISO 4217 code",
                    product.id
                );
            }
            if kind == ProductKind::Plan
                && !matches!(product.interval.as_deref(), Some("month" | "year"))
            {
                bail!(
                    "catalog: plan {:?} needs interval \"month\" or \"year\"",
                    product.id
                );
            }
        }
        Ok(())
    }

    pub fn find(&self, id: &str) -> Option<&Product> {
        self.packs
            .iter()
            .chain(self.plans.iter())
            .map(|l| &l.product)
            .find(|p| p.id == id)
    }

    /// Packs and plans with their texts in `locale` where the catalog has them.
    pub fn localized(&self, locale: Locale) -> (Vec<Product>, Vec<Product>) {
        let texts = |list: &[Listed]| {
            list.iter()
                .map(|listed| {
                    let mut product = listed.product.clone();
                    if let Some(text) = listed.translations.get(locale.as_str()) {
                        if let Some(name) = &text.name {
                            product.name.clone_from(name);
                        }
                        if let Some(description) = &text.description {
                            product.description.clone_from(description);
                        }
                    }
                    product
                })
                .collect()
        };
        (texts(&self.packs), texts(&self.plans))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_catalog_is_valid() {
        let catalog = ProductCatalog::load(None).unwrap();
        assert_eq!(catalog.packs.len(), 3);
        assert!(catalog.find("plan_pro").is_some());
    }

    #[test]
    fn duplicate_ids_and_bad_plans_are_refused() {
        let dup = ProductCatalog {
            packs: ProductCatalog::load(None)
                .unwrap()
                .packs
                .into_iter()
                .cycle()
                .take(4)
                .collect(),
            plans: vec![],
        };
        assert!(dup.check().is_err());
        let mut catalog = ProductCatalog::load(None).unwrap();
        catalog.plans[0].product.interval = None;
        assert!(catalog.check().is_err());
    }

    #[test]
    fn texts_follow_the_locale_and_unknown_languages_are_refused() {
        let catalog = ProductCatalog::load(None).unwrap();
        let (packs, plans) = catalog.localized(Locale::ZhCn);
        let (en_packs, _) = catalog.localized(Locale::En);
        assert_ne!(packs[0].description, en_packs[0].description);
        assert!(
            packs
                .iter()
                .chain(&plans)
                .all(|p| !p.description.is_ascii())
        );
        let mut odd = catalog.clone();
        odd.packs[0]
            .translations
            .insert("fr".into(), ProductText::default());
        assert!(odd.check().is_err());
    }
}
