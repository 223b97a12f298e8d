//! The demo person: one generated life that every simulator shows its part
//! of. The card and bank transactions are the charges of the Amazon orders
//! and of the receipts in the mailbox, with the cases that make matching
//! hard, and the truth of which charge paid for what is kept.

use amazon_sp_client::testkit::{ScriptedItem, ScriptedOrder};
use gmail_receipts::testkit::SimMail;
use time::{Date, Duration, OffsetDateTime, Time};
use truelayer_client::testkit::{SandboxAccount, SandboxTransaction};

use super::letters::{Letter, html, pounds, row};
use super::truth::{Case, GroundTruth, TruthLink};
use super::{DemoSize, GMAIL_ADDRESS};
use crate::model::{MatchTarget, TransactionRef};

/// Products the person buys on Amazon: (ASIN, title, price in pence).
const PRODUCTS: &[(&str, &str, i64)] = &[
    ("B0C1H2X3Y4", "USB-C Charging Cable 2m, Braided", 899),
    ("B08N5KWB9H", "Laptop Docking Station, 12-in-1", 8_999),
    ("B07PFFMP9P", "Streaming Stick 4K", 4_999),
    ("B09B8V1LZ3", "Wireless Earbuds with Charging Case", 2_999),
    ("B0BX7S3ZQK", "A4 Printer Paper, 5 Reams", 2_450),
    ("B0CHX1W1XY", "Stainless Steel Water Bottle 750ml", 1_599),
    ("B07W4DHKQD", "Notebook Refills, A5 Lined, Pack of 3", 649),
    ("B0B2SFRJ7N", "Dishwasher Tablets, 100 Pack", 1_375),
    ("B01N5IB20Q", "Paperback: The Salt Path", 599),
    ("B09JQMJHXY", "LED Desk Lamp with USB Port", 2_799),
    ("B08C1W5N87", "Coffee Beans 1kg, Medium Roast", 1_849),
    ("B07XJ8C8F5", "AA Batteries, Pack of 20", 1_099),
];

/// Charges with no receipt behind them: (description, merchant, classification, typical pence).
const EVERYDAY: &[(&str, &str, [&str; 2], i64)] = &[
    (
        "TESCO STORES 2041",
        "Tesco",
        ["Shopping", "Groceries"],
        3_450,
    ),
    (
        "SAINSBURYS SMRKT STORE 128",
        "Sainsburys",
        ["Shopping", "Groceries"],
        2_425,
    ),
    (
        "PRET A MANGER KINGS X",
        "Pret A Manger",
        ["Food & Dining", "Coffee shops"],
        645,
    ),
    (
        "TFL TRAVEL CH TFL.GOV.UK/CP",
        "Transport for London",
        ["Transport", "Public transport"],
        760,
    ),
    (
        "BOOTS 1172 OXFORD ST",
        "Boots",
        ["Health & Beauty", "Pharmacy"],
        1_150,
    ),
];

/// The person's whole generated history, in the shape each simulator takes.
///
/// ```
/// use spend_core::demo::{DemoSize, Person};
/// let person = Person::generate(&DemoSize::default(), 7, time::macros::date!(2026 - 12 - 01));
/// assert_eq!(person.orders.len(), DemoSize::default().orders);
/// assert!(person.mail.len() >= DemoSize::default().emails);
/// ```
#[derive(Debug, Clone)]
pub struct Person {
    /// Card and current-account transactions for the TrueLayer sandbox.
    pub bank: Vec<SandboxTransaction>,
    /// Amazon orders for the SP-API simulator.
    pub orders: Vec<ScriptedOrder>,
    /// The mailbox for the Gmail simulator.
    pub mail: Vec<SimMail>,
    /// Which transaction paid for what.
    pub truth: GroundTruth,
}

/// The source id the demo's Gmail connection stores mail under.
pub(super) fn gmail_mailbox() -> String {
    format!("gmail:{GMAIL_ADDRESS}")
}

struct Life {
    rng: fastrand::Rng,
    harder: bool,
    start: Date,
    today: Date,
    serial: u64,
    person: Person,
}

impl Person {
    /// Generates `size`'s person from `seed`, with history up to `today`.
    pub fn generate(size: &DemoSize, seed: u64, today: Date) -> Person {
        Person::live(size, seed, today, false)
    }

    /// A person whose history is harder to match: a same-amount week every
    /// week, checkouts split into three charges, more refunds of part of an
    /// order, a purchase abroad and wallet-paid receipts every month, a
    /// restaurant bill with a tip twice a month.
    pub fn generate_harder(size: &DemoSize, seed: u64, today: Date) -> Person {
        Person::live(size, seed, today, true)
    }

    fn live(size: &DemoSize, seed: u64, today: Date, harder: bool) -> Person {
        let mut life = Life {
            rng: fastrand::Rng::with_seed(seed),
            harder,
            start: today - Duration::days(i64::from(size.bank_days.max(7)) - 1),
            today,
            serial: seed.wrapping_mul(0x9E37_79B9),
            person: Person {
                bank: Vec::new(),
                orders: Vec::new(),
                mail: Vec::new(),
                truth: GroundTruth::default(),
            },
        };
        life.amazon(size.orders);
        life.receipts();
        life.income_and_bills();
        life.everyday(size.transactions);
        life.other_mail(size.emails);
        life.person
    }
}

impl Life {
    fn days(&self) -> i64 {
        (self.today - self.start).whole_days() + 1
    }

    fn at(&mut self, day: Date, from_hour: u8, to_hour: u8) -> OffsetDateTime {
        let time = Time::from_hms(
            self.rng.u8(from_hour..to_hour),
            self.rng.u8(0..60),
            self.rng.u8(0..60),
        )
        .unwrap_or(Time::MIDNIGHT);
        day.with_time(time).assume_utc()
    }

    fn next_serial(&mut self) -> u64 {
        self.serial = self.serial.wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.serial
    }

    fn reference(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..len)
            .map(|_| ALPHABET[self.rng.usize(..ALPHABET.len())] as char)
            .collect()
    }

    /// A transaction on `account`; `pence` signed as the person sees it.
    fn charge(
        &mut self,
        account: SandboxAccount,
        at: OffsetDateTime,
        description: String,
        merchant: Option<&str>,
        pence: i64,
        classification: [&str; 2],
    ) -> TransactionRef {
        let serial = self.next_serial();
        let tx = SandboxTransaction {
            id: format!("{serial:016x}{:016x}", serial.rotate_left(29)),
            account,
            at,
            description,
            merchant: merchant.map(str::to_owned),
            amount_pence: pence,
            classification: classification.iter().map(|s| (*s).to_owned()).collect(),
            pending: false,
        };
        let key = TransactionRef {
            source: "truelayer".into(),
            account_id: tx.account_id().to_owned(),
            id: tx.normalised_id(),
        };
        let (category, essential) = super::truth::category_of(merchant.unwrap_or_default());
        self.person
            .truth
            .categories
            .insert(key.clone(), (category.to_owned(), essential));
        self.person.bank.push(tx);
        key
    }

    fn account(&mut self) -> SandboxAccount {
        if self.rng.bool() {
            SandboxAccount::Card
        } else {
            SandboxAccount::Current
        }
    }

    fn send(&mut self, letter: Letter) -> String {
        let raw = letter.render();
        let labels = if letter.bulk {
            vec!["INBOX".to_owned(), "CATEGORY_PROMOTIONS".to_owned()]
        } else {
            vec!["INBOX".to_owned(), "CATEGORY_UPDATES".to_owned()]
        };
        self.person.mail.push(SimMail {
            internal_date: letter.at.unix_timestamp() * 1000 + 431,
            labels,
            raw,
        });
        letter.message_id
    }

    fn message_id(&mut self, domain: &str) -> String {
        let serial = self.next_serial();
        format!("{:012x}.{}@{domain}", serial >> 16, self.reference(6))
    }

    fn link(&mut self, transaction: TransactionRef, target: MatchTarget, case: Case) {
        self.person.truth.links.push(TruthLink {
            transaction,
            target,
            case,
        });
    }

    fn receipt_target(message_id: &str) -> MatchTarget {
        MatchTarget::Receipt {
            mailbox: gmail_mailbox(),
            message_id: message_id.to_owned(),
        }
    }

    // ---- Amazon ------------------------------------------------------

    fn amazon_descriptor(&mut self) -> String {
        match self.rng.u8(0..3) {
            0 => "AMZNMKTPLACE AMAZON.CO.UK".to_owned(),
            1 => format!("AMAZON.CO.UK*{}", self.reference(9)),
            _ => format!("AMZN MKTP UK*{}", self.reference(9)),
        }
    }

    fn order(&mut self, placed: OffsetDateTime, lines: usize, shipments: usize) -> ScriptedOrder {
        let id = format!(
            "203-{:07}-{:07}",
            self.rng.u32(0..10_000_000),
            self.rng.u32(0..10_000_000)
        );
        let mut items: Vec<ScriptedItem> = Vec::new();
        while items.len() < lines {
            let (asin, title, price) = PRODUCTS[self.rng.usize(..PRODUCTS.len())];
            if items.iter().any(|i| i.asin == asin) {
                continue;
            }
            items.push(ScriptedItem {
                asin: asin.into(),
                title: title.into(),
                quantity: if self.rng.u8(0..5) == 0 { 2 } else { 1 },
                unit_price_pence: price,
            });
        }
        ScriptedOrder {
            id,
            purchased: placed,
            items,
            shipments,
        }
    }

    /// `count` orders spread over the history (the last three days left
    /// free so every dispatch is charged by today).
    fn amazon(&mut self, count: usize) {
        let span = (self.days() - 3).max(1);
        let mut n = 0;
        while n < count {
            let day = self.start + Duration::days(span * n as i64 / count.max(1) as i64);
            let placed = self.at(day, 7, 23);
            let roll = self.rng.u8(0..100);
            let combined = if self.harder { 15 } else { 10 };
            if roll < combined && n + 1 < count {
                // One checkout, two orders (one sold by a third party), one charge.
                let first = self.order(placed, 1, 1);
                let second = self.order(placed, 1, 1);
                let total = first.total_pence() + second.total_pence();
                let at = self.at(day + Duration::days(1), 6, 22);
                let descriptor = self.amazon_descriptor();
                let tx = self.charge(
                    SandboxAccount::Card,
                    at,
                    descriptor,
                    Some("Amazon"),
                    -total,
                    ["Shopping", "General"],
                );
                for order in [first, second] {
                    self.dispatch_notice(&order, 0);
                    self.link(tx.clone(), order_target(&order), Case::AmazonCombined);
                    self.person.orders.push(order);
                }
                n += 2;
                continue;
            }
            let lines = 1 + self.rng.usize(0..3);
            let split = lines > 1 && roll < 35;
            let shipments = match (split, self.harder && lines == 3 && self.rng.bool()) {
                (false, _) => 1,
                (true, false) => 2,
                (true, true) => 3,
            };
            let order = self.order(placed, lines, shipments);
            let account = if self.rng.u8(0..4) == 0 {
                SandboxAccount::Current
            } else {
                SandboxAccount::Card
            };
            let case = if split {
                Case::AmazonSplit
            } else {
                Case::Amazon
            };
            for (part, (after, pence)) in order.shipment_charges().into_iter().enumerate() {
                let at = self.at(day + Duration::days(after), 6, 22);
                let descriptor = self.amazon_descriptor();
                let tx = self.charge(
                    account,
                    at,
                    descriptor,
                    Some("Amazon"),
                    -pence,
                    ["Shopping", "General"],
                );
                self.link(tx, order_target(&order), case);
                self.dispatch_notice(&order, part);
            }
            if roll >= if self.harder { 80 } else { 90 } {
                // One line comes back; the refund lands a week or two later.
                let line = &order.items[order.items.len() - 1];
                let pence = line.unit_price_pence;
                let title = line.title.clone();
                let refunded = day + Duration::days(7 + self.rng.i64(0..8));
                if refunded <= self.today {
                    let at = self.at(refunded, 6, 22);
                    let descriptor = format!("AMAZON.CO.UK*{} REFUND", self.reference(9));
                    let tx = self.charge(
                        account,
                        at,
                        descriptor,
                        Some("Amazon"),
                        pence,
                        ["Shopping", "General"],
                    );
                    self.link(tx, order_target(&order), Case::Refund);
                    self.refund_notice(&order, &title, pence, at);
                }
            }
            self.person.orders.push(order);
            n += 1;
        }
    }

    /// Amazon's dispatch mail for shipment `part` of `order`: no total, as
    /// Amazon's own.
    fn dispatch_notice(&mut self, order: &ScriptedOrder, part: usize) {
        let at = order.purchased + Duration::days(1 + part as i64) + Duration::hours(2);
        let last = part + 1 >= order.shipments.max(1);
        let lines: Vec<String> = order
            .items
            .iter()
            .skip(part)
            .take(if last { usize::MAX } else { 1 })
            .map(|i| format!("{} x {}", i.quantity, i.title))
            .collect();
        let id = order.id.clone();
        let message_id = self.message_id("amazon.co.uk");
        self.send(Letter {
            from_name: "Amazon.co.uk",
            from: "dispatch-confirm@amazon.co.uk".into(),
            subject: format!("Your Amazon.co.uk order {id} has been dispatched"),
            at,
            message_id,
            text: format!(
                "Hello Alex,\r\n\r\nWe thought you'd like to know that we've dispatched your item(s). Your order is on the way and can no longer be changed.\r\n\r\nTrack your package: https://www.amazon.co.uk/progress-tracker/package?orderId={id}\r\n\r\nOrder #{id}\r\n{}\r\n\r\nArriving: tomorrow\r\n\r\nWe hope to see you again soon.\r\nAmazon.co.uk\r\n",
                lines.join("\r\n")
            ),
            html: None,
            bulk: false,
        });
    }

    fn refund_notice(
        &mut self,
        order: &ScriptedOrder,
        title: &str,
        pence: i64,
        at: OffsetDateTime,
    ) {
        let id = order.id.clone();
        let message_id = self.message_id("amazon.co.uk");
        self.send(Letter {
            from_name: "Amazon.co.uk",
            from: "return@amazon.co.uk".into(),
            subject: format!("Your refund for {title}"),
            at: at - Duration::hours(20),
            message_id,
            text: format!(
                "Hello Alex,\r\n\r\nWe've processed your refund for the item below.\r\n\r\nOrder #{id}\r\nItem: {title}\r\nRefund total: £{}\r\n\r\nThe refund will appear on your statement within 3-5 business days.\r\n",
                pounds(pence)
            ),
            html: None,
            bulk: false,
        });
    }

    // ---- Receipts ------------------------------------------------------

    fn receipts(&mut self) {
        let mut day = self.start;
        let mut month_seen = None;
        while day <= self.today {
            let roll = self.rng.u8(0..100);
            if roll < 35 {
                let pence = 650 + self.rng.i64(0..2_400);
                self.uber(day, pence, Case::Receipt);
            }
            if self.rng.u8(0..100) < 20 {
                let pence = 1_450 + self.rng.i64(0..3_000);
                self.deliveroo(day, pence, Case::Receipt);
            }
            if self.rng.u8(0..100) < 6 {
                self.trainline(day);
            }
            if day.day() == 12 {
                self.netflix(day);
            }
            if self.harder
                && day.weekday() == time::Weekday::Monday
                && day + Duration::days(4) <= self.today
            {
                self.same_amount_week(day);
            }
            if month_seen != Some(day.month()) {
                month_seen = Some(day.month());
                let in_month = |life: &mut Life, from: u8, to: u8| {
                    day + Duration::days(i64::from(life.rng.u8(from..to)))
                };
                let restaurant = in_month(self, 3, 9);
                let fx = in_month(self, 9, 14);
                let same = in_month(self, 14, 20);
                let wallet = in_month(self, 20, 26);
                let second_dinner = in_month(self, 14, 26);
                if restaurant <= self.today {
                    self.restaurant(restaurant);
                }
                if self.harder && second_dinner <= self.today {
                    self.restaurant(second_dinner);
                }
                if fx <= self.today && (self.harder || self.rng.bool()) {
                    self.bandcamp(fx);
                }
                if !self.harder && same + Duration::days(4) <= self.today {
                    self.same_amount_week(same);
                }
                if wallet <= self.today && (self.harder || self.rng.bool()) {
                    self.steam_wallet(wallet);
                }
            }
            day += Duration::days(1);
        }
    }

    /// The charge lands the same day or the next (not after today).
    fn posted(&mut self, at: OffsetDateTime) -> OffsetDateTime {
        let later = at + Duration::hours(self.rng.i64(1..30));
        if later.date() > self.today { at } else { later }
    }

    fn uber(&mut self, day: Date, pence: i64, case: Case) {
        let at = self.at(day, 7, 23);
        let trip = format!(
            "{:08x}-{:04x}-4{:03x}",
            self.rng.u32(..),
            self.rng.u16(..),
            self.rng.u16(..4096)
        );
        let fare = pence * 80 / 100;
        let booking = pence - fare;
        let message_id = self.message_id("uber.com");
        let weekday = format!("{:?}", day.weekday());
        let part = if at.hour() < 12 {
            "morning"
        } else if at.hour() < 17 {
            "afternoon"
        } else {
            "evening"
        };
        let rows = vec![
            row("Trip fare", &format!("£{}", pounds(fare))),
            row("Booking fee", &format!("£{}", pounds(booking))),
            row("<b>Total</b>", &format!("<b>£{}</b>", pounds(pence))),
            row("Payment", "Visa ••••0044"),
        ];
        let message_id = self.send(Letter {
            from_name: "Uber Receipts",
            from: "noreply@uber.com".into(),
            subject: format!("Your {weekday} {part} trip with Uber"),
            at,
            message_id,
            text: format!(
                "Thanks for riding, Alex\r\nWe hope you enjoyed your ride this {part}.\r\n\r\nTotal £{}\r\nTrip fare £{}\r\nBooking fee £{}\r\n\r\nPayments\r\nVisa ••••0044 £{}\r\n\r\nTrip ID: {trip}\r\n",
                pounds(pence),
                pounds(fare),
                pounds(booking),
                pounds(pence)
            ),
            html: Some(html("Thanks for riding, Alex", &rows, &format!("Trip ID {trip}. Uber B.V., Burgerweeshuispad 301, Amsterdam"))),
            bulk: false,
        });
        let posted = self.posted(at);
        let account = self.account();
        let tx = self.charge(
            account,
            posted,
            "UBER *TRIP HELP.UBER.COM".into(),
            Some("Uber"),
            -pence,
            ["Transport", "Taxi"],
        );
        self.link(tx, Self::receipt_target(&message_id), case);
    }

    fn deliveroo(&mut self, day: Date, pence: i64, case: Case) {
        let at = self.at(day, 11, 22);
        let order = format!("{}", self.rng.u64(1_000_000_000..9_999_999_999));
        let delivery = 299;
        let service = 99;
        let food = pence - delivery - service;
        let restaurant =
            ["Franco Manca", "Wagamama", "Honest Burgers", "Rosa's Thai"][self.rng.usize(..4)];
        let message_id = self.message_id("deliveroo.co.uk");
        let rows = vec![
            row("Subtotal", &format!("£{}", pounds(food))),
            row("Delivery fee", &format!("£{}", pounds(delivery))),
            row("Service fee", &format!("£{}", pounds(service))),
            row("<b>Total</b>", &format!("<b>£{}</b>", pounds(pence))),
        ];
        let message_id = self.send(Letter {
            from_name: "Deliveroo",
            from: "noreply@t.deliveroo.co.uk".into(),
            subject: "Your order's been placed".into(),
            at,
            message_id,
            text: format!(
                "Thanks for your order, Alex\r\n\r\n{restaurant} has your order.\r\nOrder number: {order}\r\n\r\nSubtotal £{}\r\nDelivery fee £{}\r\nService fee £{}\r\nTotal £{}\r\n\r\nPaid with Visa ending 0044\r\n",
                pounds(food),
                pounds(delivery),
                pounds(service),
                pounds(pence)
            ),
            html: Some(html(&format!("Your order from {restaurant}"), &rows, &format!("Order number {order}. Roofoods Ltd, The River Building, London SE1 9LQ"))),
            bulk: false,
        });
        let posted = self.posted(at);
        let account = self.account();
        let tx = self.charge(
            account,
            posted,
            "DELIVEROO LONDON".into(),
            Some("Deliveroo"),
            -pence,
            ["Food & Dining", "Food delivery"],
        );
        self.link(tx, Self::receipt_target(&message_id), case);
    }

    fn trainline(&mut self, day: Date) {
        let at = self.at(day, 6, 22);
        let pence = 1_890 + self.rng.i64(0..11_000);
        let transaction = format!("{}-{:04}", self.rng.u32(1000..9999), self.rng.u32(0..9999));
        let route = [
            "London Kings Cross to York",
            "London Euston to Manchester Piccadilly",
            "London Paddington to Bristol Temple Meads",
        ][self.rng.usize(..3)];
        let message_id = self.message_id("info.thetrainline.com");
        let message_id = self.send(Letter {
            from_name: "Trainline",
            from: "auto-confirm@info.thetrainline.com".into(),
            subject: format!("Your booking confirmation {transaction}"),
            at,
            message_id,
            text: format!(
                "Hi Alex,\r\n\r\nYour tickets are booked.\r\n\r\n{route}\r\nTransaction ID: {transaction}\r\n\r\nTickets £{}\r\nBooking fee £0.00\r\nTotal paid £{}\r\n\r\nPaid by Visa ending 0044\r\n",
                pounds(pence),
                pounds(pence)
            ),
            html: None,
            bulk: false,
        });
        let posted = self.posted(at);
        let tx = self.charge(
            SandboxAccount::Card,
            posted,
            "TRAINLINE.COM".into(),
            Some("Trainline"),
            -pence,
            ["Transport", "Trains"],
        );
        self.link(tx, Self::receipt_target(&message_id), Case::Receipt);
    }

    fn netflix(&mut self, day: Date) {
        let at = self.at(day, 3, 6);
        let pence = 1_099;
        let message_id = self.message_id("netflix.com");
        let message_id = self.send(Letter {
            from_name: "Netflix",
            from: "info@account.netflix.com".into(),
            subject: "Your Netflix receipt".into(),
            at,
            message_id,
            text: format!(
                "Hi Alex,\r\n\r\nThanks for your payment. Here is your receipt.\r\n\r\nPlan: Standard\r\nBilling date: {day}\r\nAmount: £{}\r\nPayment method: Visa ••••0044\r\n\r\nTotal: £{}\r\n\r\nNetflix International B.V.\r\n",
                pounds(pence),
                pounds(pence)
            ),
            html: None,
            bulk: false,
        });
        let tx = self.charge(
            SandboxAccount::Card,
            at + Duration::hours(2),
            "NETFLIX.COM".into(),
            Some("Netflix"),
            -pence,
            ["Entertainment", "Streaming"],
        );
        self.link(tx, Self::receipt_target(&message_id), Case::Subscription);
    }

    fn restaurant(&mut self, day: Date) {
        let at = self.at(day, 19, 22);
        let bill = 2_800 + self.rng.i64(0..5_000);
        let tip = bill * i64::from(self.rng.u8(10..16)) / 100;
        let check = self.rng.u32(10_000..99_999);
        let message_id = self.message_id("dishoom.com");
        let message_id = self.send(Letter {
            from_name: "Dishoom King's Cross",
            from: "receipts@dishoom.com".into(),
            subject: "Your receipt from Dishoom King's Cross".into(),
            at,
            message_id,
            text: format!(
                "Thank you for dining with us.\r\n\r\nCheck #{check}\r\nTable 14, 2 guests\r\n\r\nHouse Black Daal £8.90\r\nChicken Ruby £13.90\r\nGunpowder Potatoes £6.50\r\n\r\nSubtotal £{}\r\nTotal £{}\r\n\r\nService is not included. Gratuities are at your discretion.\r\nDishoom King's Cross, 5 Stable Street, London N1C 4AB\r\n",
                pounds(bill),
                pounds(bill)
            ),
            html: None,
            bulk: false,
        });
        let tx = self.charge(
            SandboxAccount::Current,
            at + Duration::minutes(40),
            "SQ *DISHOOM KINGS CROSS".into(),
            Some("Dishoom"),
            -(bill + tip),
            ["Food & Dining", "Restaurants"],
        );
        self.link(tx, Self::receipt_target(&message_id), Case::Tip);
    }

    fn bandcamp(&mut self, day: Date) {
        let at = self.at(day, 8, 23);
        let cents = 700 + self.rng.i64(0..3_000);
        // The bank's rate (about 1.27 dollars a pound), and its 2.99% fee.
        let rate_millis = 1_220 + self.rng.i64(0..90);
        let pence = (cents * 1000 / rate_millis) * 10_299 / 10_000;
        let album = [
            "Field Recordings Vol. 2",
            "Night Drive",
            "Low Tide Sessions",
        ][self.rng.usize(..3)];
        let message_id = self.message_id("bandcamp.com");
        let download = self.rng.u32(..);
        let message_id = self.send(Letter {
            from_name: "Bandcamp",
            from: "noreply@bandcamp.com".into(),
            subject: "Thank you for your purchase!".into(),
            at,
            message_id,
            text: format!(
                "Greetings Alex,\r\n\r\nThank you for your purchase from Low Orbit Records.\r\n\r\n{album} (digital album)  ${}\r\n\r\nTotal: ${} USD\r\n\r\nDownload your purchase: https://bandcamp.com/download?id={}\r\n",
                pounds(cents),
                pounds(cents),
                download
            ),
            html: None,
            bulk: false,
        });
        let posted = self.posted(at);
        let tx = self.charge(
            SandboxAccount::Card,
            posted,
            format!("BANDCAMP.COM OAKLAND CA USD {}", pounds(cents)),
            Some("Bandcamp"),
            -pence,
            ["Entertainment", "Music"],
        );
        self.link(tx, Self::receipt_target(&message_id), Case::Fx);
    }

    /// One amount, three merchants within five days: a Deliveroo order and
    /// an Uber ride with receipts, a Pret lunch with none.
    fn same_amount_week(&mut self, day: Date) {
        let pence = 1_500 + self.rng.i64(0..1_500);
        self.deliveroo(day, pence, Case::SameAmount);
        self.uber(day + Duration::days(2), pence, Case::SameAmount);
        let at = self.at(day + Duration::days(4), 12, 14);
        self.charge(
            SandboxAccount::Current,
            at,
            "PRET A MANGER KINGS X".into(),
            Some("Pret A Manger"),
            -pence,
            ["Food & Dining", "Coffee shops"],
        );
        self.person.truth.unexplained_charges += 1;
    }

    /// A purchase paid from a wallet balance: a receipt with no charge.
    fn steam_wallet(&mut self, day: Date) {
        let at = self.at(day, 10, 23);
        let pence = 499 + self.rng.i64(0..3_000);
        let message_id = self.message_id("steampowered.com");
        let invoice = self.rng.u64(1_000_000_000_000..9_999_999_999_999);
        let message_id = self.send(Letter {
            from_name: "Steam Store",
            from: "noreply@steampowered.com".into(),
            subject: "Thank you for your Steam purchase!".into(),
            at,
            message_id,
            text: format!(
                "Dear Alex,\r\n\r\nThank you for your recent transaction on Steam.\r\n\r\nAccount name: alexexample\r\nInvoice: {}\r\nDate issued: {day}\r\n\r\nHollow Knight  £{}\r\n\r\nTotal: £{}\r\nPayment method: Steam Wallet\r\n",
                invoice,
                pounds(pence),
                pounds(pence)
            ),
            html: None,
            bulk: false,
        });
        self.person.truth.uncharged_receipts.push(message_id);
    }

    // ---- The rest ------------------------------------------------------

    /// A monthly salary, rent by standing order, and energy and phone by
    /// direct debit: money in, and essential spending with no receipt.
    fn income_and_bills(&mut self) {
        let mut month = self.start.replace_day(1).unwrap_or(self.start);
        let mut n: i64 = 0;
        while month <= self.today {
            let on = |day: u8| {
                month
                    .replace_day(day)
                    .ok()
                    .map(|d| d.midnight().assume_utc() + Duration::hours(6))
            };
            let bills: [(u8, &str, &str, i64, [&str; 2]); 4] = [
                (1, "SO J SMITH RENT", "J Smith", -115_000, ["Bills", "Rent"]),
                (
                    5,
                    "OCTOPUS ENERGY DD",
                    "Octopus Energy",
                    -(7_000 + 2_500 * ((n % 12 - 6).abs())),
                    ["Bills", "Energy"],
                ),
                (12, "EE LIMITED DD", "EE", -2_500, ["Bills", "Phone"]),
                (
                    25,
                    "ACME LTD SALARY",
                    "Acme Ltd",
                    320_000,
                    ["Income", "Salary"],
                ),
            ];
            for (day, description, merchant, pence, class) in bills {
                if let Some(at) =
                    on(day).filter(|at| at.date() >= self.start && at.date() <= self.today)
                {
                    self.charge(
                        SandboxAccount::Current,
                        at,
                        description.into(),
                        Some(merchant),
                        pence,
                        class,
                    );
                    if pence < 0 {
                        self.person.truth.unexplained_charges += 1;
                    }
                }
            }
            month = month.replace_day(28).unwrap_or(month) + Duration::days(4);
            month = month.replace_day(1).unwrap_or(month);
            n += 1;
        }
    }

    /// Groceries, coffee, travel and the chemist, until the bank holds
    /// about `target` transactions.
    fn everyday(&mut self, target: usize) {
        let missing = target.saturating_sub(self.person.bank.len());
        let days = self.days();
        for n in 0..missing {
            let day = self.start + Duration::days(days * n as i64 / missing.max(1) as i64);
            let (description, merchant, class, typical) =
                EVERYDAY[self.rng.usize(..EVERYDAY.len())];
            let pence = typical * i64::from(self.rng.u32(60..=160)) / 100;
            let at = self.at(day, 7, 21);
            let account = self.account();
            self.charge(
                account,
                at,
                description.into(),
                Some(merchant),
                -pence,
                class,
            );
            self.person.truth.unexplained_charges += 1;
        }
        self.person.bank.sort_by_key(|t| t.at);
    }

    /// Newsletters, vendors' marketing and personal mail, until the mailbox
    /// holds `target` messages.
    fn other_mail(&mut self, target: usize) {
        let missing = target.saturating_sub(self.person.mail.len());
        let days = self.days();
        for n in 0..missing {
            let day = self.start + Duration::days(days * n as i64 / missing.max(1) as i64);
            let at = self.at(day, 6, 23);
            let letter = match n % 4 {
                0 => {
                    let message_id = self.message_id("t.deliveroo.co.uk");
                    Letter {
                        from_name: "Deliveroo",
                        from: "marketing@t.deliveroo.co.uk".into(),
                        subject: "Treat yourself: 20% off tonight".into(),
                        at,
                        message_id,
                        text: "Hungry? Get 20% off your next order over £25 with code TREAT20. Ends midnight. Terms apply: the discount does not apply to delivery or service fees.\r\n".into(),
                        html: None,
                        bulk: true,
                    }
                }
                1 => {
                    let message_id = self.message_id("news.garden-weekly.example");
                    Letter {
                        from_name: "Garden Weekly",
                        from: "editor@news.garden-weekly.example".into(),
                        subject: format!("Spring planting guide, issue {n}"),
                        at,
                        message_id,
                        text: "This week: tomatoes, seed trays and a 20% off code for subscribers.\r\n".into(),
                        html: None,
                        bulk: true,
                    }
                }
                2 => {
                    let message_id = self.message_id("amazon.co.uk");
                    Letter {
                        from_name: "Amazon.co.uk",
                        from: "store-news@amazon.co.uk".into(),
                        subject: "Deals picked for you, Alex".into(),
                        at,
                        message_id,
                        text: "Based on your recent orders: LED Desk Lamp with USB Port, now £22.99 (was £27.99). Coffee Beans 1kg from £15.49.\r\n".into(),
                        html: None,
                        bulk: true,
                    }
                }
                _ => {
                    let message_id = self.message_id("family.example");
                    Letter {
                        from_name: "Sam Example",
                        from: "sam@family.example".into(),
                        subject: format!("Plans for the weekend ({n})"),
                        at,
                        message_id,
                        text:
                            "Shall we meet at the station at ten? From there it's a short walk.\r\n"
                                .into(),
                        html: None,
                        bulk: false,
                    }
                }
            };
            self.send(letter);
        }
    }
}

fn order_target(order: &ScriptedOrder) -> MatchTarget {
    MatchTarget::Order {
        source: "sp-api".into(),
        id: order.id.clone(),
    }
}
