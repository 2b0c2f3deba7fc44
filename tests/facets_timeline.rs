//! `zhsearch facets --by month|year`: the matching articles over time, as
//! bars on the terminal and as JSON, agreeing with the year facet.

mod common;

use common::TestEnv;
use serde_json::Value;

/// A corpus with articles in 2023-11, 2023-12 (two), 2024-02, one dated to
/// the year only, and one undated.
fn dated() -> TestEnv {
    let env = TestEnv::new();
    for (name, date) in [
        ("a", "2023-11-05"),
        ("b", "2023-12-01"),
        ("c", "2023-12-31"),
        ("d", "2024-02-29"),
        ("e", "2024"),
        ("f", ""),
    ] {
        let front = if date.is_empty() {
            String::new()
        } else {
            format!("date: {date}\n")
        };
        env.write(
            &format!("corpus/{name}.txt"),
            format!(
                "---\ntitle: 乡村振兴简报{name}\n{front}---\n乡村振兴工作推进会召开，Ｗｉ-Ｆｉ进村，5G覆盖率９８％。\n"
            ),
        );
    }
    env.index();
    env
}

#[test]
fn by_month_draws_every_month_with_a_bar() {
    let env = dated();
    let run = env
        .run(&["facets", "乡村振兴", "--index", "index", "--by", "month"])
        .expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "6 matching articles", "{}", run.stdout);
    let months: Vec<(&str, u64, usize)> = lines[1..5]
        .iter()
        .map(|l| {
            let mut parts = l.split_whitespace();
            let period = parts.next().unwrap();
            let count = parts.next().unwrap().parse().unwrap();
            let bar = parts.next().map_or(0, |b| b.chars().count());
            (period, count, bar)
        })
        .collect();
    assert_eq!(
        months.iter().map(|m| (m.0, m.1)).collect::<Vec<_>>(),
        [
            ("2023-11", 1),
            ("2023-12", 2),
            ("2024-01", 0),
            ("2024-02", 1)
        ],
        "{}",
        run.stdout
    );
    assert_eq!(months[1].2, 40, "the longest bar: {}", run.stdout);
    assert_eq!(months[2].2, 0, "an empty month has no bar: {}", run.stdout);
    assert!(months[0].2 >= 20 && months[0].2 <= 21, "{}", run.stdout);
    assert!(lines[5].starts_with("(no month)") && lines[5].ends_with(" 1"));
    assert!(lines[6].starts_with("(no date)") && lines[6].ends_with(" 1"));
}

#[test]
fn by_year_as_json_agrees_with_the_year_facet() {
    let env = dated();
    let run = env
        .run(&["facets", "--index", "index", "--by", "year", "--json"])
        .expect_code(0);
    let line = &run.json_lines()[0];
    assert_eq!(line["by"], "year");
    let periods: Vec<(String, u64)> = line["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_string(),
                p["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(periods, [("2023".to_string(), 3), ("2024".to_string(), 2)]);
    let facets = env
        .run(&["facets", "--index", "index", "--json"])
        .expect_code(0)
        .json_lines()
        .remove(0);
    let by_year: u64 = facets["facets"]["year"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["count"].as_u64().unwrap())
        .sum();
    assert_eq!(periods.iter().map(|p| p.1).sum::<u64>(), by_year);
    assert_eq!(line["undated"], facets["facets"]["undated"]);
    assert_eq!(line["total"], Value::from(6));
}
