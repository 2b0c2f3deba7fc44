//! What an inferred year rests on: national events and the year they happened, zones and
//! the year they opened, yearly days of commemoration and their first year, five-year
//! plans and party congresses. Only widely known dates; adding one is adding a row.

/// Events whose anniversaries articles mark, with the year they happened. Only widely
/// commemorated national events; the article must say the anniversary falls this year.
pub(super) const EVENTS: &[(&str, i32)] = &[
    ("中国共产党成立", 1921),
    ("建党", 1921),
    ("中华人民共和国成立", 1949),
    ("新中国成立", 1949),
    ("改革开放", 1978),
    ("中国人民抗日战争暨世界反法西斯战争胜利", 1945),
    ("中国人民抗日战争胜利", 1945),
    ("抗日战争胜利", 1945),
    ("抗战胜利", 1945),
    ("中国人民解放军建军", 1927),
    ("建军", 1927),
    ("香港回归祖国", 1997),
    ("香港回归", 1997),
    ("澳门回归祖国", 1999),
    ("澳门回归", 1999),
    ("五四运动", 1919),
    ("辛亥革命", 1911),
    ("红军长征胜利", 1936),
    ("长征胜利", 1936),
    ("中国人民志愿军抗美援朝出国作战", 1950),
    ("抗美援朝出国作战", 1950),
    ("西藏和平解放", 1951),
    ("深圳经济特区建立", 1980),
    ("浦东开发开放", 1990),
    ("毛泽东同志诞辰", 1893),
    ("周恩来同志诞辰", 1898),
    ("邓小平同志诞辰", 1904),
    ("孙中山先生诞辰", 1866),
];

/// Zones whose opening (挂牌) year is known, for `挂牌N年以来`.
pub(super) const OPENINGS: &[(&str, i32)] = &[
    ("南沙自贸片区", 2015),
    ("南沙新区片区", 2015),
    ("前海蛇口自贸片区", 2015),
    ("横琴自贸片区", 2015),
    ("广东自贸试验区", 2015),
    ("广东自贸区", 2015),
    ("上海自贸试验区", 2013),
    ("上海自贸区", 2013),
];

/// Yearly days of commemoration, counted from the year first held (第十一个国家公祭日 is
/// 2014 + 10). National days set by law or by the State Council, and UN days with a
/// well-known first year.
pub(super) const COMMEMORATIONS: &[(&str, i32)] = &[
    ("南京大屠杀死难者国家公祭日", 2014),
    ("国家公祭日", 2014),
    ("烈士纪念日", 2014),
    ("国家宪法日", 2014),
    ("国家扶贫日", 2014),
    ("全民国家安全教育日", 2016),
    ("中国航天日", 2016),
    ("全国科技工作者日", 2017),
    ("中国品牌日", 2017),
    ("中国农民丰收节", 2018),
    ("中国医师节", 2018),
    ("中国人民警察节", 2021),
    ("全国生态日", 2023),
    ("全国防灾减灾日", 2009),
    ("中国旅游日", 2011),
    ("中国航海日", 2005),
    ("全国交通安全日", 2012),
    ("全国低碳日", 2013),
    ("教师节", 1985),
    ("中国记者节", 2000),
    ("全国助残日", 1991),
    ("全国爱眼日", 1996),
    ("全国爱耳日", 2000),
    ("世界计量日", 2000),
    ("世界知识产权日", 2001),
];

/// Five-year plans (first year) and party congresses (year held), for 开局之年/收官之年.
pub(super) const PLANS: &[(&str, i32)] = &[
    ("十二五", 2011),
    ("十三五", 2016),
    ("十四五", 2021),
    ("十五五", 2026),
];
pub(super) const CONGRESSES: &[(&str, i32)] =
    &[("十八大", 2012), ("十九大", 2017), ("二十大", 2022)];
