//! The categories an enrichment may choose from.

/// A category and its subcategories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// The category's name.
    pub name: String,
    /// Its subcategories.
    pub subcategories: Vec<String>,
}

/// The set of categories and subcategories answers must use.
///
/// ```
/// use llm_enrich::Taxonomy;
///
/// let default = Taxonomy::default();
/// assert!(default.contains("Groceries", "Supermarket"));
///
/// let mine = Taxonomy::new([("Food", &["Groceries", "Restaurants"][..]), ("Other", &["Other"][..])]);
/// assert!(!mine.contains("Food", "Fuel"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    categories: Vec<Category>,
}

const DEFAULT: &[(&str, &[&str])] = &[
    (
        "Groceries",
        &["Supermarket", "Convenience store", "Online groceries"],
    ),
    (
        "Eating out",
        &[
            "Restaurants",
            "Takeaway & delivery",
            "Coffee shops",
            "Pubs & bars",
        ],
    ),
    (
        "Transport",
        &[
            "Public transport",
            "Taxi & ride hailing",
            "Fuel",
            "Parking",
            "Car maintenance",
            "Trains",
            "Flights",
            "Micromobility",
        ],
    ),
    (
        "Shopping",
        &[
            "General merchandise",
            "Clothing",
            "Electronics",
            "Home & garden",
            "Books & media",
            "Gifts",
            "Second hand",
        ],
    ),
    (
        "Bills",
        &[
            "Rent & mortgage",
            "Energy",
            "Water",
            "Council tax",
            "Phone & internet",
            "Insurance",
        ],
    ),
    (
        "Subscriptions",
        &[
            "Streaming",
            "Software",
            "News & magazines",
            "Memberships",
            "Cloud storage",
        ],
    ),
    ("Health", &["Pharmacy", "Medical", "Dental", "Fitness"]),
    ("Entertainment", &["Events", "Games", "Hobbies", "Music"]),
    ("Travel", &["Accommodation", "Holidays", "Travel insurance"]),
    ("Personal care", &["Hair & beauty", "Toiletries"]),
    ("Education", &["Courses", "Books & supplies"]),
    (
        "Income",
        &[
            "Salary",
            "Refunds",
            "Interest",
            "Transfers in",
            "Other income",
        ],
    ),
    (
        "Transfers",
        &[
            "Between own accounts",
            "To other people",
            "Savings & investments",
            "Credit card repayment",
        ],
    ),
    (
        "Fees & charges",
        &[
            "Bank fees",
            "Interest charged",
            "Foreign transaction fees",
            "Duties & taxes",
        ],
    ),
    ("Cash", &["ATM withdrawal", "Cashback"]),
    ("Charity", &["Donations"]),
    ("Other", &["Uncategorised"]),
];

impl Default for Taxonomy {
    /// A personal-finance taxonomy suited to UK and European bank data.
    fn default() -> Self {
        Taxonomy::new(DEFAULT.iter().map(|(c, s)| (*c, *s)))
    }
}

impl Taxonomy {
    /// A taxonomy from `(category, subcategories)` pairs.
    pub fn new<'a>(categories: impl IntoIterator<Item = (&'a str, &'a [&'a str])>) -> Self {
        Taxonomy {
            categories: categories
                .into_iter()
                .map(|(name, subs)| Category {
                    name: name.to_owned(),
                    subcategories: subs.iter().map(|s| (*s).to_owned()).collect(),
                })
                .collect(),
        }
    }

    /// The categories.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Whether `subcategory` is one of `category`'s.
    pub fn contains(&self, category: &str, subcategory: &str) -> bool {
        self.categories
            .iter()
            .any(|c| c.name == category && c.subcategories.iter().any(|s| s == subcategory))
    }

    /// The taxonomy as prompt text, one category a line.
    pub fn describe(&self) -> String {
        self.categories
            .iter()
            .map(|c| format!("- {}: {}", c.name, c.subcategories.join("; ")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A short fingerprint, so cached answers from another taxonomy are not reused.
    pub fn fingerprint(&self) -> String {
        // FNV-1a: stable across runs and platforms, unlike `DefaultHasher`.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in self.describe().bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}
