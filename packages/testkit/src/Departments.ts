/**
 * The district's 32 government departments assessed by the programme (domain.md: "a district-level
 * assessment scheme covers 32 government departments"), as nodes of kind `department` under a
 * `government` root beside the territorial tree, so one engine scores departments and territories
 * alike. The names are those of a Beijing district government's usual departments; the programme's
 * own list is not published, so this list stands in for it.
 *
 * @since 0.1.0
 */

/**
 * The government root's id.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const governmentId = "110112-gov"

/**
 * The departments' names.
 *
 * @since 0.1.0
 * @category fixtures
 */
export const names: ReadonlyArray<string> = [
  "区发展改革委",
  "区教委",
  "区科委",
  "区经济和信息化局",
  "区民政局",
  "区司法局",
  "区财政局",
  "区人力社保局",
  "区生态环境局",
  "区规划自然资源分局",
  "区住房城乡建设委",
  "区城市管理委",
  "区交通局",
  "区水务局",
  "区农业农村局",
  "区商务局",
  "区文化旅游局",
  "区卫生健康委",
  "区退役军人事务局",
  "区应急管理局",
  "区市场监管局",
  "区统计局",
  "区医保局",
  "区园林绿化局",
  "区城管执法局",
  "区国资委",
  "区审计局",
  "区政务服务局",
  "区体育局",
  "区信访办",
  "区民族宗教办",
  "区金融办"
]

/**
 * The government root and its departments, as nodes to open (plain data for `Grid.open`).
 *
 * @since 0.1.0
 * @category fixtures
 */
export const nodes = (effectiveOn: string): ReadonlyArray<Record<string, string>> => [
  { id: governmentId, kind: "government", name: "通州区人民政府", effectiveOn },
  ...names.map((name, index) => ({
    id: `${governmentId}-d${String(index + 1).padStart(2, "0")}`,
    kind: "department",
    name,
    parentId: governmentId,
    effectiveOn
  }))
]
