//! Behaviour of region extraction and lookup, on sentences from the bundled corpus where
//! one exists (a few rules need a sentence the corpus does not have).

use super::*;

fn facets(paths: &[RegionPath]) -> Vec<String> {
    paths.iter().map(RegionPath::facet).collect()
}

fn primary(title: &str, body: &str) -> Vec<String> {
    facets(&Gazetteer::builtin().extract(title, body).primary)
}

fn mentions(title: &str, body: &str) -> Vec<String> {
    facets(&Gazetteer::builtin().extract(title, body).mentions)
}

/// Asserts that `line` is one of the evidence lines.
fn assert_evidence(regions: &Regions, line: &str) {
    assert!(
        regions.evidence.iter().any(|e| e == line),
        "{line} not in {:?}",
        regions.evidence
    );
}

/// Primary regions and mentions together.
fn places(title: &str, body: &str) -> Vec<String> {
    let regions = Gazetteer::builtin().extract(title, body);
    facets(&regions.primary)
        .into_iter()
        .chain(facets(&regions.mentions))
        .collect()
}

const CORPUS: [(&str, &str); 5] = [
    (
        include_str!("../../../corpus/000_e19cf532170f2a3e.txt"),
        "/广东省/佛山市/高明区",
    ),
    (
        include_str!("../../../corpus/001_eda8d542acb23e2d.txt"),
        "/广东省/佛山市/高明区",
    ),
    (
        include_str!("../../../corpus/002_6bc2cfcd6b5cfc07.txt"),
        "/广东省/广州市/南沙区",
    ),
    (
        include_str!("../../../corpus/003_8f3e609361c084a5.txt"),
        "/广东省/江门市/新会区",
    ),
    (
        include_str!("../../../corpus/004_ec023b9238a4b3cd.txt"),
        "/广东省/佛山市/禅城区",
    ),
];

#[test]
fn bundled_corpus_articles_get_their_district() {
    for (i, (text, expected)) in CORPUS.iter().enumerate() {
        // Whether or not the first line is taken as the title.
        let (first, rest) = text.split_once('\n').unwrap();
        for (title, body) in [("", *text), (first, rest)] {
            let regions = Gazetteer::builtin().extract(title, body);
            assert_eq!(
                facets(&regions.primary),
                [*expected],
                "article {i:03}: {:?}",
                regions.evidence
            );
        }
    }
}

#[test]
fn full_and_short_names_count_for_the_same_place() {
    // 新会区 in full once, 新会 twice; the short forms count once the full name backs them.
    let body = "如何在高质量发展上走在前列、当好示范,需要新会上下以行动作答。\
                区委十四届四次全会提出,今年,新会区要率先迈入千亿GDP强区。\
                为新会锚定建设“一园三中心”不动摇提供坚强保证。";
    let regions = Gazetteer::builtin().extract("", body);
    assert_eq!(facets(&regions.primary), ["/广东省/江门市/新会区"]);
    assert_eq!(regions.evidence[0], "新会区 ×3");
}

#[test]
fn short_forms_need_two_characters() {
    let divisions = &Gazetteer::builtin().divisions;
    assert!(
        divisions
            .nodes
            .iter()
            .filter_map(|n| n.short)
            .all(|s| s.chars().count() >= 2)
    );
    // 沛县 has no short form, so 沛 alone is nothing.
    assert!(Gazetteer::builtin().resolve("沛").is_err());
}

#[test]
fn title_and_lead_weigh_more_than_the_body() {
    let filler = "各级党组织和广大党员干部紧紧把握优势和机遇。\n以党建引领城市治理提效。\n";
    let sentence = "面对着新冠肺炎疫情的考验,南沙区牢牢抓稳党建“火车头”。";
    // Twice in the body, past the lead: too little for a primary region.
    let late = format!("{filler}{sentence}\n{sentence}");
    assert!(primary("", &late).is_empty());
    assert_eq!(mentions("", &late), ["/广东省/广州市/南沙区"]);
    // The same two sentences as the lead, or one of them in the title, are enough.
    let early = format!("{sentence}\n{sentence}\n{filler}");
    assert_eq!(primary("", &early), ["/广东省/广州市/南沙区"]);
    assert_eq!(
        primary("南沙区:以党建引领自贸区各项事业创新改革", &late),
        ["/广东省/广州市/南沙区"]
    );
}

#[test]
fn adjacent_parent_decides_a_short_form() {
    assert_eq!(
        primary("广州南沙:以党建引领自贸区各项事业创新改革", ""),
        ["/广东省/广州市/南沙区"]
    );
}

#[test]
fn a_town_supports_its_county() {
    let title = "高明:党建引领 锻造干事创业的猛虎之师";
    let body = "明城镇明阳村有“三谭”革命事迹展览馆、高明区红色廉政文化教育基地等爱国主义教育基地。";
    let regions = Gazetteer::builtin().extract(title, body);
    assert_eq!(facets(&regions.primary), ["/广东省/佛山市/高明区"]);
    assert_evidence(&regions, "明城镇 ×1 supports 高明区");
    // 高明 is an ordinary word: without 高明区 a town inside it still backs it.
    let body = "明城镇明阳村有“三谭”革命事迹展览馆。";
    assert_eq!(primary(title, body), ["/广东省/佛山市/高明区"]);
    // Without either, the title's 高明 is just a word.
    assert!(primary(title, "").is_empty());
}

#[test]
fn a_parent_supports_a_county_short_form() {
    let jiangmen = "也是江门踏上现代化建设新征程的开耕之年。";
    let taishan = "强化协作机制支撑,进一步深化与台山的结对协同发展。";
    assert_eq!(
        mentions("", &format!("{jiangmen}{taishan}")),
        ["/广东省/江门市/台山市"]
    );
    // Alone, a county short form is not trusted.
    assert!(mentions("", taishan).is_empty());
}

#[test]
fn a_child_supports_its_parent() {
    // 佛山 alone in passing stays below the bar; its district named in full lifts it.
    let regions = Gazetteer::builtin().extract(
        "",
        "行动佛山核心城区,禅城区的都市化程度较高。禅城区向“两新”构制选派第一书记。",
    );
    assert_eq!(facets(&regions.primary), ["/广东省/佛山市/禅城区"]);
    assert_evidence(&regions, "佛山市 ×1 supports 禅城区");
}

#[test]
fn nansha_district_is_not_the_nansha_islands() {
    let islands = "我国对南沙群岛及其附近海域拥有无可争辩的主权。";
    assert_eq!(mentions("", islands), ["/海南省/三沙市/南沙群岛"]);
    // A bare 南沙 could be either: nothing decides, so it is nothing.
    assert!(mentions("", "南沙岛礁建设稳步推进。").is_empty());
    assert!(mentions("", "南沙海域天气晴好。").is_empty());
    // With 广州 before it, it is the district.
    assert_eq!(
        places("", "广州南沙自贸片区挂牌5年。"),
        ["/广东省/广州市/南沙区"]
    );
}

#[test]
fn ordinary_words_are_not_places() {
    // 高明 the adjective, even in an article about 高明区.
    let g = Gazetteer::builtin();
    assert!(
        g.extract("", "这种做法的高明之处在于把党建和发展结合起来。")
            .evidence
            .is_empty()
    );
    let about = "高明区委书记杨永泰表示,全区要深入实施三年行动计划。";
    let with_adjective = format!("{about}这一招确实高明的地方在于抓住了关键。");
    assert_eq!(
        g.extract("", &with_adjective).evidence,
        g.extract("", about).evidence
    );
    // 新会 in 新会员, 江门 across 浙江门户, 城区 and 老城区.
    assert!(mentions("", "今年共发展新会员200名。").is_empty());
    assert_eq!(mentions("", "打造浙江门户城市。"), ["/浙江省"]);
    assert!(
        mentions(
            "",
            "有序推动中心城区优秀教师向西部学校流动,推进老城区改造。"
        )
        .is_empty()
    );
    // ... but 江门新会 and 阳泉市城区 are places: the parent comes right before.
    assert_eq!(
        places("", "江门新会的陈皮远近闻名。"),
        ["/广东省/江门市/新会区"]
    );
    assert_eq!(
        places("", "阳泉市城区开展创建活动。"),
        ["/山西省/阳泉市/城区"]
    );
}

#[test]
fn duplicate_county_names_need_their_parent() {
    let sentence = "鼓楼区召开党史学习教育动员大会。鼓楼区各级党组织迅速行动。";
    let regions = Gazetteer::builtin().extract("", sentence);
    assert!(regions.primary.is_empty() && regions.mentions.is_empty());
    assert_eq!(
        regions.evidence,
        ["鼓楼区 ×2 is ambiguous (4 places), left unresolved"]
    );
    assert_eq!(
        primary("", &format!("福州市委常委会研究部署。{sentence}")),
        ["/福建省/福州市/鼓楼区"]
    );
    assert_eq!(
        primary("", &format!("河南省委常委会研究部署。{sentence}")),
        ["/河南省/开封市/鼓楼区"]
    );
    // 江苏 holds two of them (南京, 徐州): still undecided.
    assert!(primary("", &format!("江苏省委常委会研究部署。{sentence}")).is_empty());
    assert_eq!(
        places("", "南京市鼓楼区召开会议。"),
        ["/江苏省/南京市/鼓楼区"]
    );
}

#[test]
fn a_municipality_in_passing_does_not_beat_the_district() {
    let (text, _) = CORPUS[0];
    let text = format!("{text}\n组织党员干部赴北京学习考察。赴北京学习的同志回来后作了汇报。");
    let regions = Gazetteer::builtin().extract("", &text);
    assert_eq!(facets(&regions.primary), ["/广东省/佛山市/高明区"]);
    assert!(facets(&regions.mentions).contains(&"/北京市".to_owned()));
    // 000 already names 上海 twice in passing ("从上海赶到高明").
    assert!(facets(&regions.mentions).contains(&"/上海市".to_owned()));
}

#[test]
fn many_places_and_none_dominating_give_no_primary() {
    let regions =
        Gazetteer::builtin().extract("", "北京、上海、广州、深圳等城市的消费市场持续回暖。");
    assert!(regions.primary.is_empty());
    assert_eq!(regions.mentions.len(), 4);
    assert!(
        regions
            .evidence
            .last()
            .unwrap()
            .starts_with("no place dominates")
    );
}

#[test]
fn a_place_named_with_its_full_path_is_the_most_specific_place() {
    let sentence = "广东省佛山市高明区召开乡村振兴工作会议。";
    let regions = Gazetteer::builtin().extract("", sentence);
    assert_eq!(facets(&regions.primary), ["/广东省/佛山市/高明区"]);
    assert_evidence(&regions, "佛山市 ×1 supports 高明区");
    // Past the lead, in the title, with the path cut short, with digits and full-width text.
    let late = format!("会议指出，要抓好春耕生产。\n各部门要加强协作。\n{sentence}");
    assert_eq!(primary("", &late), ["/广东省/佛山市/高明区"]);
    assert_eq!(
        primary("广东省佛山市高明区召开乡村振兴工作会议", ""),
        ["/广东省/佛山市/高明区"]
    );
    assert_eq!(
        primary("", "佛山市高明区召开乡村振兴工作会议。"),
        ["/广东省/佛山市/高明区"]
    );
    assert_eq!(
        primary(
            "",
            "浙江省杭州市西湖区举办２０２４年数字经济论坛，AI企业参展。"
        ),
        ["/浙江省/杭州市/西湖区"]
    );
}

#[test]
fn a_city_story_naming_one_of_its_districts_in_full_stays_at_the_city() {
    let body = "佛山市召开全市安全生产工作会议。佛山市各区负责人参加会议。\n\
                会议要求，佛山市要压实各方责任。佛山市高明区作了交流发言。";
    assert_eq!(primary("", body), ["/广东省/佛山市"]);
}

/// Digests written for these tests, in the style of real ones.
const FINANCE_BRIEF: &str = include_str!("testdata/finance-brief.txt");
const TEN_REVERSALS: &str = include_str!("testdata/ten-reversals.txt");
const NEWS_ROUNDUP: &str = include_str!("testdata/news-roundup.txt");
const CITY_ROUNDUP: &str = include_str!("testdata/city-roundup.txt");

/// Regions of a text, with and without its first line taken as the title.
fn both_ways(text: &str) -> [Regions; 2] {
    let (first, rest) = text.split_once('\n').unwrap();
    let g = Gazetteer::builtin();
    [g.extract("", text), g.extract(first, rest)]
}

#[test]
fn a_digest_does_not_take_the_place_of_one_item() {
    for regions in both_ways(FINANCE_BRIEF) {
        assert!(regions.primary.is_empty(), "{:?}", regions.evidence);
        assert_eq!(facets(&regions.mentions), ["/上海市"]);
    }
}

#[test]
fn a_year_end_list_does_not_take_the_place_of_one_item() {
    for regions in both_ways(TEN_REVERSALS) {
        assert!(regions.primary.is_empty(), "{:?}", regions.evidence);
        assert_eq!(facets(&regions.mentions), ["/河南省/郑州市"]);
    }
}

#[test]
fn a_roundup_of_scattered_places_has_no_primary_region() {
    for regions in both_ways(NEWS_ROUNDUP) {
        assert!(regions.primary.is_empty(), "{:?}", regions.evidence);
        let mentions = facets(&regions.mentions);
        for place in ["/浙江省/杭州市", "/四川省", "/黑龙江省"] {
            assert!(mentions.contains(&place.to_owned()), "{mentions:?}");
        }
    }
}

#[test]
fn a_roundup_of_one_city_keeps_the_city() {
    for regions in both_ways(CITY_ROUNDUP) {
        assert_eq!(
            facets(&regions.primary),
            ["/广东省/佛山市"],
            "{:?}",
            regions.evidence
        );
        assert_eq!(regions.mentions.len(), 3, "{:?}", regions.mentions);
    }
}

#[test]
fn towns_are_matched_in_their_folded_form() {
    use crate::analysis::variants::simplified;
    // The text reaches extraction folded: 濛 is 蒙 there, 乾 alone is 干.
    for (text, town, county) in [
        (
            "藤县濛江镇召开防汛工作会议。濛江镇各村积极落实。",
            "濛江镇",
            "藤县",
        ),
        (
            "安岳縣乾龍鎮召開防汛工作會議。乾龍鎮各村積極落實。",
            "乾龙镇",
            "安岳县",
        ),
    ] {
        let regions = Gazetteer::builtin().extract("", &simplified(text));
        assert_eq!(regions.primary[0].name(), county, "{:?}", regions.evidence);
        assert_evidence(&regions, &format!("{town} ×2 supports {county}"));
    }
}

#[test]
fn division_names_are_unchanged_by_folding() {
    // `resolve` and the facets use the names as written.
    let divisions = &Gazetteer::builtin().divisions;
    for node in &divisions.nodes {
        assert_eq!(crate::analysis::variants::simplified(node.name), node.name);
    }
}

#[test]
fn facet_paths_skip_grouping_levels() {
    assert!(places("", "北京市东城区景山街道").contains(&"/北京市/东城区".to_owned()));
    assert!(places("", "重庆市丰都县召开会议").contains(&"/重庆市/丰都县".to_owned()));
    assert!(places("", "湖北省仙桃市召开会议").contains(&"/湖北省/仙桃市".to_owned()));
    assert!(places("", "广东省东莞市虎门镇").contains(&"/广东省/东莞市".to_owned()));
    let dongguan = &Gazetteer::builtin().resolve("东莞").unwrap()[0];
    assert_eq!(
        (dongguan.code.as_str(), dongguan.level()),
        ("441900", Level::City)
    );
}

#[test]
fn resolve_accepts_any_level_and_form() {
    let g = Gazetteer::builtin();
    let one = |q: &str| facets(&g.resolve(q).unwrap());
    assert_eq!(one("佛山"), ["/广东省/佛山市"]);
    assert_eq!(one("佛山市"), ["/广东省/佛山市"]);
    assert_eq!(one("高明"), ["/广东省/佛山市/高明区"]);
    assert_eq!(one("高明区"), ["/广东省/佛山市/高明区"]);
    assert_eq!(one("广东"), ["/广东省"]);
    assert_eq!(one(" 广东省 "), ["/广东省"]);
    assert_eq!(one("/广东省/佛山市/高明区"), ["/广东省/佛山市/高明区"]);
    assert_eq!(
        one("江苏/鼓楼"),
        ["/江苏省/南京市/鼓楼区", "/江苏省/徐州市/鼓楼区"]
    );
    assert_eq!(one("吉林"), ["/吉林省"]);
    assert_eq!(one("南沙群岛"), ["/海南省/三沙市/南沙群岛"]);
    let gulou = one("鼓楼");
    assert_eq!(gulou.len(), 4, "{gulou:?}");
    assert!(gulou.iter().all(|f| f.ends_with("/鼓楼区")));
    assert_eq!(g.resolve("高明").unwrap()[0].code, "440608");
}

#[test]
fn resolve_suggests_close_matches() {
    let g = Gazetteer::builtin();
    let err = g.resolve("佛三").unwrap_err();
    assert_eq!(err.suggestions[0], "佛山市");
    assert!(
        err.to_string()
            .starts_with("unknown region '佛三'; did you mean: 佛山市"),
        "{err}"
    );
    // A town is no filter; the error names the counties that have one of that name.
    assert!(
        g.resolve("明城镇")
            .unwrap_err()
            .suggestions
            .contains(&"高明区".to_owned())
    );
    assert_eq!(
        g.resolve("/广东省/佛三").unwrap_err().suggestions[0],
        "佛山市"
    );
    let empty = g.resolve("  ").unwrap_err();
    assert_eq!(empty.to_string(), "unknown region '  '");
}

#[test]
fn region_path_accessors() {
    let path = &Gazetteer::builtin().resolve("高明区").unwrap()[0];
    assert_eq!(path.name(), "高明区");
    assert_eq!(path.facet(), "/广东省/佛山市/高明区");
    assert_eq!(path.to_string(), path.facet());
    assert_eq!(path.level(), Level::County);
    assert_eq!(
        Gazetteer::builtin().resolve("广东").unwrap()[0].level(),
        Level::Province
    );
}

#[test]
fn arbitrary_text_does_not_panic() {
    // Text made of place-name characters, town suffixes, punctuation, ASCII and newlines.
    let palette: Vec<char> =
        "高明区佛山市广东省南沙群岛新会员镇乡街道苏木鼓楼北京天津河北路号,。、\n a1é"
            .chars()
            .collect();
    let mut state = 0x2545_f491_u64;
    let g = Gazetteer::builtin();
    for _ in 0..2_000 {
        let mut text = String::new();
        for _ in 0..(state % 60) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(palette[(state % palette.len() as u64) as usize]);
        }
        let (title, body) = text.split_at(text.char_indices().nth(5).map_or(0, |(i, _)| i));
        let regions = g.extract(title, body);
        assert!(regions.primary.len() <= 3);
        assert!(
            regions
                .primary
                .iter()
                .chain(&regions.mentions)
                .all(|p| p.facet().starts_with('/'))
        );
        assert!(
            regions
                .primary
                .iter()
                .all(|p| !regions.mentions.contains(p))
        );
    }
}
