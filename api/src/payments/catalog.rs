//! The products on sale, from `ZIMAGE_CATALOG_FILE` or the built-in defaults.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::collections::HashSet;
use zimage_shared::billing::{Product, ProductKind};

#[derive(Debug, Clone, Deserialize)]
pub struct ProductCatalog {
    pub packs: Vec<Product>,
    pub plans: Vec<Product>,
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
        for (product, kind) in self
            .packs
            .iter()
            .map(|p| (p, ProductKind::Pack))
            .chain(self.plans.iter().map(|p| (p, ProductKind::Plan)))
        {
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
            .find(|p| p.id == id)
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
        catalog.plans[0].interval = None;
        assert!(catalog.check().is_err());
    }
}
