// The raw material of the generated register (seed.ts): how Dongguan's enterprises spread over
// towns and industries, and the parts that names, people, phones, addresses and resident IDs are
// made of. Weights are relative, not percentages; they are shaped on public descriptions of
// Dongguan (specialised towns, the article in shared/seed), not on an official census.
import type { EnterpriseScale } from './enterprise-input.js';

type Factors = Record<string, number>;

/** A town's share of enterprises and how its economy leans (by division code or section letter). */
export type TownProfile = { weight: number; industry?: Factors; exporter?: number; highTech?: number };

export const TOWN_PROFILES: Record<string, TownProfile> = {
  东城街道: { weight: 7, industry: { C: 0.5, '51': 2.5, '52': 2, '72': 2, '65': 2, '70': 2, '62': 2 } },
  南城街道: { weight: 6.5, industry: { C: 0.45, '51': 2.2, '72': 2.5, '65': 2.5, '70': 2, '74': 1.5 } },
  万江街道: { weight: 3.5, industry: { C: 0.8, '51': 1.5 } },
  莞城街道: { weight: 2.5, industry: { C: 0.3, '52': 3, '62': 3, '72': 2, '88': 2 } },
  石碣镇: { weight: 2.5, industry: { '39': 2.5, '38': 1.5 }, exporter: 1.3 },
  石龙镇: { weight: 1.8, industry: { '39': 2, '38': 1.2 } },
  茶山镇: { weight: 2.2, industry: { '24': 2.5, '14': 3 }, exporter: 1.5 },
  石排镇: { weight: 2, industry: { '39': 1.5, '24': 1.5 } },
  企石镇: { weight: 1.6, industry: { '24': 2, '39': 1.3 } },
  横沥镇: { weight: 2.2, industry: { '35': 3, '34': 2 } },
  桥头镇: { weight: 2, industry: { '22': 3, '29': 1.5 } },
  谢岗镇: { weight: 1.3, industry: { '39': 1.2, '29': 1.2 } },
  东坑镇: { weight: 1.8, industry: { '39': 1.3, '17': 1.5, '19': 1.3 } },
  常平镇: { weight: 5.5, industry: { '51': 1.5, '59': 3, '58': 2, '39': 1.2, '22': 1.5 } },
  寮步镇: { weight: 4.5, industry: { '39': 1.5, '38': 1.3, '29': 1.2 } },
  樟木头镇: { weight: 2.2, industry: { '29': 1.5, '52': 1.5, '70': 2 } },
  大朗镇: { weight: 5, industry: { '17': 6, '18': 2 }, exporter: 2.5 },
  黄江镇: { weight: 3, industry: { '39': 2, '29': 1.3 } },
  清溪镇: { weight: 3.5, industry: { '39': 2, '24': 1.3 }, exporter: 1.5 },
  塘厦镇: { weight: 5.5, industry: { '39': 1.5, '24': 2, '33': 1.3 }, exporter: 1.5 },
  凤岗镇: { weight: 4, industry: { '39': 2, '33': 1.3 }, exporter: 1.5 },
  大岭山镇: { weight: 3.5, industry: { '21': 3, '39': 1.2 } },
  长安镇: { weight: 7.5, industry: { '33': 2.5, '35': 3, '39': 1.5, '38': 1.3 }, exporter: 3 },
  虎门镇: { weight: 7.5, industry: { '18': 5, '17': 2, '51': 1.5, '52': 1.5 }, exporter: 2.5 },
  厚街镇: { weight: 5.5, industry: { '21': 4, '19': 4, '35': 1.2 }, exporter: 1.5 },
  沙田镇: { weight: 1.6, industry: { '58': 2, '59': 2, '26': 3 } },
  道滘镇: { weight: 1.4, industry: { '14': 3, '22': 1.5 } },
  洪梅镇: { weight: 0.8, industry: { '22': 1.5, '29': 1.5 } },
  麻涌镇: { weight: 1.3, industry: { '13': 6, '26': 2, '59': 2 } },
  望牛墩镇: { weight: 1.1, industry: { '39': 1.2, '38': 1.2 } },
  中堂镇: { weight: 1.6, industry: { '22': 6 } },
  高埗镇: { weight: 1.7, industry: { '29': 1.5, '33': 1.3, '21': 1.5 } },
  松山湖: {
    weight: 3.5,
    industry: {
      '39': 3,
      '65': 5,
      '73': 8,
      '75': 3,
      '40': 2,
      '27': 3,
      '17': 0.1,
      '18': 0.1,
      '19': 0.1,
      '21': 0.1,
      '22': 0.1,
      '52': 0.3,
    },
    exporter: 1.5,
    highTech: 6,
  },
  东莞港: { weight: 0.25, industry: { C: 0.3, '58': 6, '59': 6, '51': 2 } },
  东莞生态园: { weight: 0.3, industry: { C: 0.6, '75': 3, '39': 1.5 }, highTech: 2 },
  东莞滨海湾新区: { weight: 0.6, industry: { '65': 2, '73': 2, '39': 1.5, '58': 2 }, highTech: 2 },
};

/** A GB/T 4754 division with its weight in the city and the industry words names use. */
export type IndustrySpec = { code: string; section: string; weight: number; words: string[] };

const ind = (code: string, section: string, weight: number, words: string[]): IndustrySpec => ({
  code,
  section,
  weight,
  words,
});

// Manufacturing carries about two thirds of the weight: electronics first, then electrical
// machinery, hardware, plastics, garments, furniture, toys, moulds, paper, as in Dongguan.
export const INDUSTRIES: IndustrySpec[] = [
  ind('39', 'C', 15, [
    '电子科技',
    '电子',
    '光电科技',
    '通讯科技',
    '智能科技',
    '精密电子',
    '电子元件',
    '线路板',
    '电脑配件',
    '半导体科技',
  ]),
  ind('38', 'C', 7, [
    '电器',
    '电器科技',
    '电机',
    '电线电缆',
    '照明科技',
    '电池科技',
    '电源科技',
    '开关科技',
    '家用电器',
  ]),
  ind('33', 'C', 7.5, [
    '五金制品',
    '五金',
    '金属制品',
    '五金塑胶制品',
    '精密五金',
    '紧固件',
    '不锈钢制品',
    '五金弹簧',
  ]),
  ind('29', 'C', 6, ['塑胶制品', '塑胶', '塑料制品', '橡胶制品', '硅胶制品', '新材料科技', '塑胶五金']),
  ind('35', 'C', 4, ['模具', '精密模具', '模具科技', '自动化设备', '智能装备', '机械设备']),
  ind('34', 'C', 3.5, ['精密机械', '机械', '机械制造', '机电设备', '液压设备', '机械科技']),
  ind('18', 'C', 5.5, ['服饰', '服装', '制衣', '时装', '服装实业', '童装']),
  ind('17', 'C', 3, ['纺织', '毛织', '针织', '织造', '布业', '毛织制衣']),
  ind('19', 'C', 3, ['鞋业', '皮具', '鞋材', '皮革制品', '箱包']),
  ind('21', 'C', 4, ['家具', '家私', '家居', '办公家具', '软体家具', '家具实业']),
  ind('22', 'C', 2.5, ['纸品包装', '纸业', '包装制品', '彩印包装', '纸制品']),
  ind('23', 'C', 2, ['印刷', '彩印', '印务']),
  ind('24', 'C', 4, ['玩具', '玩具制品', '工艺品', '体育用品', '文具', '礼品', '高尔夫用品']),
  ind('26', 'C', 1.5, ['化工', '涂料', '油墨', '胶粘剂', '化工科技']),
  ind('30', 'C', 1.5, ['陶瓷', '玻璃制品', '建材', '石材', '混凝土']),
  ind('32', 'C', 1, ['铝业', '铜业', '金属材料']),
  ind('40', 'C', 1.2, ['仪器仪表', '测控技术', '检测设备', '光学仪器']),
  ind('41', 'C', 1, ['实业', '日用制品', '工艺制品']),
  ind('13', 'C', 0.6, ['粮油', '饲料', '农产品加工']),
  ind('14', 'C', 1, ['食品', '食品科技', '烘焙食品']),
  ind('15', 'C', 0.3, ['饮料', '茶业']),
  ind('20', 'C', 0.6, ['木业', '木制品']),
  ind('27', 'C', 0.3, ['药业', '医药科技', '生物科技']),
  ind('36', 'C', 0.6, ['汽车配件', '汽车零部件']),
  ind('37', 'C', 0.3, ['电动车', '自行车', '游艇']),
  ind('42', 'C', 0.2, ['再生资源', '环保科技']),
  ind('43', 'C', 0.3, ['设备维修', '机械维修']),
  ind('51', 'F', 11, [
    '贸易',
    '商贸',
    '进出口',
    '电子商务',
    '供应链管理',
    '五金贸易',
    '塑胶原料',
    '实业投资',
  ]),
  ind('52', 'F', 6, ['百货', '商业', '便利店', '连锁超市', '大药房', '汽车销售服务']),
  ind('54', 'G', 1.2, ['运输', '货运', '客运']),
  ind('58', 'G', 1.5, ['国际货运代理', '货运代理', '物流']),
  ind('59', 'G', 1.2, ['仓储', '仓储服务', '物流']),
  ind('61', 'H', 0.4, ['酒店管理', '酒店']),
  ind('62', 'H', 1.2, ['餐饮管理', '餐饮服务', '饮食']),
  ind('64', 'I', 0.6, ['网络科技', '互联网科技']),
  ind('65', 'I', 2.5, ['信息技术', '软件科技', '网络技术', '信息科技', '数据科技']),
  ind('70', 'K', 0.8, ['房地产开发', '物业管理', '置业']),
  ind('71', 'L', 0.4, ['设备租赁', '汽车租赁']),
  ind('72', 'L', 3.5, ['企业管理咨询', '商务服务', '广告', '人力资源', '会展服务', '投资管理']),
  ind('73', 'M', 0.6, ['技术研究', '新材料研究', '生物技术研究']),
  ind('74', 'M', 1.5, ['工程设计', '工程技术', '设计', '环境科技']),
  ind('75', 'M', 1, ['科技服务', '科技发展', '技术推广']),
  ind('47', 'E', 0.5, ['建筑工程', '建设工程']),
  ind('48', 'E', 0.3, ['市政工程', '园林工程']),
  ind('49', 'E', 0.6, ['机电工程', '安装工程', '消防工程']),
  ind('50', 'E', 1, ['装饰工程', '装饰设计工程']),
  ind('80', 'O', 0.5, ['家政服务', '清洁服务']),
  ind('81', 'O', 0.5, ['汽车维修', '电器维修']),
  ind('82', 'O', 0.2, ['洗涤服务', '美容服务']),
  ind('83', 'P', 0.3, ['教育咨询', '职业培训']),
  ind('88', 'R', 0.3, ['文化传播', '文化发展']),
  ind('44', 'D', 0.15, ['新能源', '热能']),
  ind('45', 'D', 0.1, ['燃气']),
  ind('01', 'A', 0.15, ['农业科技', '农业发展']),
  ind('04', 'A', 0.1, ['水产养殖']),
];

/** Industry words of the internet and new-materials age: not in the names of firms registered before 2008. */
export const MODERN_WORDS = new Set([
  '电子商务',
  '供应链管理',
  '互联网科技',
  '网络科技',
  '智能科技',
  '智能装备',
  '新材料科技',
  '数据科技',
  '新能源',
  '环保科技',
  '生物科技',
]);

export const PROFILE_KIND_SPECS = {
  lab: { industry: '74', words: ['检测技术', '检验检测', '质量检测', '检测认证', '产品检测', '技术检测'] },
  maintenanceUnit: {
    industry: '49',
    words: ['电梯工程', '电梯', '电梯技术', '电梯服务', '机电设备安装工程'],
  },
  metrologyAgency: { industry: '74', words: ['计量检测', '计量校准', '计量技术服务', '计量测试技术'] },
  vehicleInspectionStation: {
    industry: '74',
    words: ['机动车检测', '机动车安全技术检测', '汽车检测服务', '机动车检测服务'],
  },
  instrumentManufacturer: { industry: '40', words: ['衡器', '电子衡器', '仪器仪表', '计量仪器', '电子秤'] },
} as const;

/**
 * How many enterprises of each profile kind a scale holds. The city numbers follow Dongguan's
 * order of magnitude (some 400 labs, 250 elevator maintenance units, 70 vehicle-inspection
 * stations); the demo has proportionally more so that every module has someone to show.
 */
export const PROFILE_QUOTAS = {
  demo: {
    lab: 24,
    maintenanceUnit: 14,
    metrologyAgency: 4,
    vehicleInspectionStation: 6,
    instrumentManufacturer: 8,
  },
  city: {
    lab: 430,
    maintenanceUnit: 260,
    metrologyAgency: 25,
    vehicleInspectionStation: 70,
    instrumentManufacturer: 300,
  },
} as const;

export const PROFILE_SCALES: Record<keyof typeof PROFILE_KIND_SPECS, [EnterpriseScale, number][]> = {
  lab: [
    ['large', 5],
    ['medium', 35],
    ['small', 50],
    ['micro', 10],
  ],
  maintenanceUnit: [
    ['medium', 30],
    ['small', 60],
    ['micro', 10],
  ],
  metrologyAgency: [
    ['medium', 40],
    ['small', 60],
  ],
  vehicleInspectionStation: [
    ['medium', 30],
    ['small', 70],
  ],
  instrumentManufacturer: [
    ['medium', 20],
    ['small', 50],
    ['micro', 30],
  ],
};

export const PROFILE_DETAIL_PARTS = {
  labFields: [
    '电子电器',
    '玩具及儿童用品',
    '纺织服装',
    '家具',
    '食品及食品相关产品',
    '建筑材料',
    '化学品',
    '机械设备',
    '灯具',
    '电线电缆',
    '鞋类及皮革',
    '环境监测',
  ],
  liftScopes: ['曳引驱动乘客电梯', '曳引驱动载货电梯', '自动扶梯与自动人行道', '杂物电梯', '液压驱动电梯'],
  metrologyScopes: ['长度', '力学', '热工', '电磁', '理化', '声学', '时间频率'],
  vehicleServices: ['安全技术检验', '排放检验', '综合性能检测'],
  instrumentProducts: [
    '电子计价秤',
    '电子台秤',
    '电子汽车衡',
    '电子吊秤',
    '燃油加油机',
    '冷水水表',
    '膜式燃气表',
    '压力表',
    '电能表',
    '血压计',
  ],
};

// --- names -------------------------------------------------------------------------------

// Trade names (字号) are two characters, first × second, sometimes with a third in front.
// Auspicious, commercial characters as Dongguan's registers are full of; no 中/国 (reserved
// words need state approval) and pairs that are famous brands or place names are left out.
export const TRADE_NAME_FIRST = [
  ...'华新金鑫宏恒永兴联创汇嘉佳富德信泰盛力立凯昌伟卓志骏耀锦明精晶铭博宇东裕顺誉万利丰荣源达天冠星海鸿鹏腾正通美祥瑞益合展迅科昊晟亿捷威豪俊欣沛泓润',
];
export const TRADE_NAME_SECOND = [
  ...'达盛华泰昌兴丰利源发隆信通诚宝辉宏威胜成美祥瑞鑫新德安顺进展峰科捷力强伟凯星海艺雅裕益和合志远拓创迪锐铭晟昊懋邦瀚嘉耀明晶亿业群荣川正鹏旺',
];
export const TRADE_NAME_AVOID = new Set([
  '联通',
  '海信',
  '万科',
  '大华',
  '华润',
  '安利',
  '鸿海',
  '万达',
  '天安',
  '美的',
  '华为',
  '宏达',
  '新科',
  '顺丰',
  '海达',
]);

export type NameStyle = 'city' | 'plain' | 'foreign' | 'province';
/** 东莞市X有限公司 most of all; 东莞X; X(东莞) for older foreign-invested firms; 广东X for larger ones. */
export const NAME_STYLES: [NameStyle, number][] = [
  ['city', 78],
  ['plain', 10],
  ['foreign', 7],
  ['province', 5],
];

// --- people ------------------------------------------------------------------------------

// Surnames weighted for Guangdong with the provinces Dongguan's workforce comes from.
export const SURNAMES: [string, number][] = [
  ['陈', 10],
  ['李', 8],
  ['黄', 7],
  ['张', 6.5],
  ['刘', 5],
  ['梁', 4.5],
  ['王', 4.5],
  ['林', 4],
  ['叶', 3],
  ['罗', 2.8],
  ['何', 2.8],
  ['杨', 2.5],
  ['吴', 2.4],
  ['邓', 2.2],
  ['钟', 2],
  ['周', 2],
  ['郑', 2],
  ['谢', 2],
  ['蔡', 1.8],
  ['卢', 1.8],
  ['曾', 1.8],
  ['彭', 1.4],
  ['徐', 1.4],
  ['朱', 1.4],
  ['赵', 1.4],
  ['袁', 1.3],
  ['胡', 1.3],
  ['郭', 1.3],
  ['莫', 1.2],
  ['赖', 1.2],
  ['肖', 1.2],
  ['许', 1.2],
  ['冯', 1],
  ['邱', 1],
  ['孙', 1],
  ['唐', 1],
  ['苏', 1],
  ['廖', 1],
  ['高', 1],
  ['余', 0.9],
  ['潘', 0.9],
  ['谭', 0.9],
  ['马', 0.9],
  ['温', 0.8],
  ['方', 0.8],
  ['邹', 0.8],
  ['江', 0.7],
  ['蒋', 0.7],
  ['范', 0.6],
  ['宋', 0.6],
  ['汤', 0.5],
  ['麦', 0.5],
  ['韦', 0.5],
  ['石', 0.5],
  ['姚', 0.5],
  ['熊', 0.5],
  ['丁', 0.5],
  ['田', 0.5],
  ['古', 0.4],
  ['尹', 0.4],
  ['覃', 0.4],
  ['龚', 0.4],
  ['戴', 0.4],
  ['汪', 0.4],
  ['侯', 0.4],
  ['钱', 0.3],
  ['严', 0.3],
  ['欧阳', 0.3],
  ['司徒', 0.1],
  ['上官', 0.05],
];
export const GIVEN_MALE = [
  ...'伟强军勇杰涛明辉华平斌刚峰波鹏宇浩俊文建国志海东林锋亮飞超磊鑫振荣健兵新永德成龙彬坤晖锦嘉家展耀泽灿炳添福光',
];
export const GIVEN_FEMALE = [...'芳娟敏静丽艳霞燕玲红梅琳婷雪慧颖洁琴萍玉凤美秀兰丹倩欣佳思晓莉君妍惠珍露嫦'];

/** Given-name characters that rarely stand alone as a one-character name. */
export const GIVEN_NOT_ALONE = new Set([...'家国建志永新德思晓佳']);

export const CONTACT_ROLES = ['质量负责人', '联系人'] as const;

// Mobile prefixes of the three carriers (1[3-9]x).
export const MOBILE_PREFIXES = [
  ...['130', '131', '132', '133', '134', '135', '136', '137', '138', '139'],
  ...['150', '151', '152', '153', '155', '156', '157', '158', '159'],
  ...['166', '170', '173', '175', '176', '177', '178'],
  ...['180', '181', '182', '183', '184', '185', '186', '187', '188', '189'],
  ...['191', '193', '195', '198', '199'],
];

// Division codes (GB/T 2260) of the places people registered in Dongguan come from: Dongguan
// itself, the rest of Guangdong, and the provinces of the migrant workforce.
export const RESIDENT_DIVISIONS: [string, number][] = [
  ['441900', 40],
  ['441402', 2],
  ['441424', 2],
  ['441481', 2],
  ['440802', 1],
  ['440881', 2],
  ['440882', 2],
  ['440902', 1],
  ['440981', 2],
  ['440982', 2],
  ['445222', 1.5],
  ['445281', 2],
  ['441581', 1.5],
  ['441302', 1],
  ['440106', 1],
  ['430582', 2],
  ['430681', 1.5],
  ['431021', 1.5],
  ['430903', 1],
  ['431224', 1.5],
  ['430111', 1],
  ['450881', 2],
  ['450921', 1.5],
  ['450923', 1.5],
  ['450802', 1],
  ['511623', 1.5],
  ['510722', 1.5],
  ['511321', 1.5],
  ['510802', 1],
  ['360702', 1],
  ['360781', 1.5],
  ['361127', 1],
  ['412826', 1.5],
  ['411324', 1],
  ['412726', 1],
  ['410102', 0.5],
  ['421181', 1.5],
  ['420902', 1],
  ['421023', 1],
  ['350582', 0.7],
  ['350181', 0.5],
  ['330382', 0.5],
  ['522121', 0.7],
  ['532128', 0.5],
];

// --- addresses ---------------------------------------------------------------------------

export const ROAD_NAMES = [
  '兴业路',
  '工业路',
  '环城路',
  '振兴路',
  '新城路',
  '科技路',
  '创业路',
  '沿河路',
  '富民路',
  '建设路',
  '人民路',
  '长兴路',
  '环湖路',
  '东门路',
  '南环路',
  '北环路',
  '西湖路',
  '金龙路',
  '迎宾路',
  '步步高路',
  '莞长路',
  '银湖路',
  '工业大道',
  '商业街',
  '康乐路',
  '新安路',
  '东兴路',
  '宝兴路',
  '育才路',
  '荔园路',
];
export const INDUSTRIAL_ZONES = [
  '第一工业区',
  '第二工业区',
  '第三工业区',
  '科技工业园',
  '工业园',
  '高新产业园',
  '创新产业园',
];

// --- registration -------------------------------------------------------------------------

/** Relative number of registrations per year: opening-up, the FDI wave, then the 2014 commercial-registration reform. */
export function registrationYearWeight(year: number, scale: EnterpriseScale): number {
  const base =
    year < 1992 ? 0.25 : year < 2000 ? 0.7 : year < 2008 ? 1.2 : year < 2014 ? 1.6 : year < 2020 ? 3 : 3.2;
  // Today's large and medium firms mostly grew from the factories of the 1990s and 2000s.
  if (scale === 'large' || scale === 'medium') return base * (year < 2008 ? 3 : year >= 2014 ? 0.5 : 1);
  return base;
}

/**
 * Positions 9–16 of a USCC, shaped like the real ones for the year: codes issued from October
 * 2015 start with MA (and later MAC/MAD); older firms kept their GB 11714 organisation code.
 */
export function orgCodePrefix(registeredOn: string, r: () => number): string {
  const year = Number(registeredOn.slice(0, 4));
  if (registeredOn >= '2015-10-01') {
    if (year <= 2016) return 'MA4U';
    if (year === 2017) return r() < 0.5 ? 'MA4W' : 'MA4X';
    if (year === 2018) return r() < 0.5 ? 'MA51' : 'MA52';
    if (year === 2019) return 'MA53';
    if (year === 2020) return r() < 0.5 ? 'MA54' : 'MA55';
    if (year === 2021) return r() < 0.5 ? 'MA56' : 'MA57';
    if (year === 2022) return 'MA7';
    if (year === 2023) return 'MAC';
    return 'MAD';
  }
  if (year < 2000) return r() < 0.55 ? '618' : '7';
  if (year < 2009) return r() < 0.7 ? '7' : '6';
  if (year < 2013) return `0${5 + Math.floor(r() * 4)}`;
  return `3${Math.floor(r() * 6)}`;
}
