import { createHash } from 'node:crypto';
import { rgb } from 'pdf-lib';
import { amountInChineseCapitals, formatBpsAsPercent, formatFenAsYuan } from './chineseAmount.ts';
import { loanContractTermsSchema, REPAYMENT_METHOD_LABELS, type LoanContractTerms } from './contractTerms.ts';
import { embedCjkFonts } from './fonts.ts';
import { ROLE_LABELS, formatBeijingTime, formatChineseDate } from './labels.ts';
import { PdfWriter } from './layout.ts';
import { contentHash, createDeterministicDocument, saveDeterministic } from './pdfDocument.ts';
import { parseInput } from './validate.ts';

/**
 * 借款合同 generated from approved terms. Its bytes depend only on the terms, so the SHA-256 recorded in
 * the ContractDrafted event can be recomputed by anyone who regenerates or holds the PDF, and the parties
 * sign exactly that hash (see contractSignature.ts and docs/certificates.md).
 */
export async function renderLoanContract(terms: LoanContractTerms): Promise<Uint8Array> {
  const t = parseInput(loanContractTermsSchema, terms, 'loan contract terms');
  const doc = await createDeterministicDocument({
    title: `借款合同 ${t.contractNo}`,
    subject: `借款合同：${t.borrower.name} 向 ${t.lender.name} 借款 ¥${formatFenAsYuan(t.principalFen)}`,
    createdAt: t.draftedAt,
    keywords: ['借款合同', t.contractNo, t.loanId],
  });
  const fonts = await embedCjkFonts(doc, contentHash(t));
  const w = new PdfWriter(doc, fonts, `借款合同 ${t.contractNo}　借款编号 ${t.loanId}`);
  const grey = rgb(0.3, 0.3, 0.3);
  const body = { size: 10 };
  const amountWords = `人民币（大写）${amountInChineseCapitals(t.principalFen)}（小写：¥${formatFenAsYuan(t.principalFen)}）`;

  w.space(6);
  w.centered('借款合同', { size: 24, bold: true });
  w.space(10);
  w.fields([
    ['合同编号', t.contractNo],
    ['借款编号', t.loanId],
    ['签订方式', `通过${t.platform}在线签订`],
    ...(t.signingPlace ? [['签订地点', t.signingPlace] as [string, string]] : []),
  ]);
  w.space(6);

  const g = guaranteeOf(t);
  // Clauses are numbered as they are written: a credit loan has no guarantee or risk-sharing clause.
  let clause = 0;
  const heading = (title: string): void => w.heading(`第${CLAUSE_NUMERALS[clause++]}条　${title}`);
  const party = (title: string, p: ContractParty): void => {
    w.paragraph(`${title}：${p.name}`, { size: 10.5, bold: true });
    const rows: [string, string][] = [];
    if (p.uscc) rows.push(['统一社会信用代码', p.uscc]);
    if (p.legalRepresentative) rows.push(['法定代表人/负责人', p.legalRepresentative]);
    if (p.address) rows.push(['住所', p.address]);
    w.fields(rows, { size: 9 });
    w.space(3);
  };
  party('贷款人（甲方）', t.lender);
  party('借款人（乙方）', t.borrower);
  if (g) party('保证人（丙方）', g.guarantor);

  w.space(4);
  w.paragraph(
    `乙方因生产经营需要向甲方申请贷款${g ? '，丙方同意为乙方在本合同项下的债务提供保证担保' : ''}。各方根据《中华人民共和国民法典》等法律法规，经平等协商，订立本合同，共同遵守。`,
    body,
  );

  heading('借款金额');
  w.paragraph(`甲方向乙方提供借款${amountWords}。`, body);

  heading('借款用途');
  w.paragraph(`本合同项下借款用于：${t.purpose}。未经甲方书面同意，乙方不得改变借款用途。`, body);

  heading('借款期限');
  w.paragraph(
    `借款期限为 ${t.termMonths} 个月，自${formatChineseDate(t.startDate)}起至${formatChineseDate(t.endDate)}止。实际放款日以平台账本记录的放款事件为准。`,
    body,
  );

  heading('借款利率与计息');
  w.paragraph(
    `本合同项下借款执行固定年利率 ${formatBpsAsPercent(t.annualRateBps)}（即 ${t.annualRateBps} 个基点），在借款期限内不变。各期应付利息以本条利率计算，金额以第${CLAUSE_NUMERALS[clause]}条还款计划表为准；提前还款或逾期的，按实际天数计息，日利率为年利率除以 365。各项金额均以分为单位精确计算。`,
    body,
  );

  const scheduleClause = CLAUSE_NUMERALS[clause]!;
  heading('还款方式与还款计划');
  const totals = t.schedule.reduce((s, r) => ({ p: s.p + r.principalFen, i: s.i + r.interestFen }), {
    p: 0,
    i: 0,
  });
  w.paragraph(
    `还款方式：${REPAYMENT_METHOD_LABELS[t.repaymentMethod]}。乙方应按下表在各到期日前足额还款：`,
    body,
  );
  w.space(3);
  w.table(
    [
      { header: '期数', width: 10, align: 'center' },
      { header: '到期日', width: 20, align: 'center' },
      { header: '应还本金（元）', width: 24, align: 'right' },
      { header: '应还利息（元）', width: 22, align: 'right' },
      { header: '本期合计（元）', width: 24, align: 'right' },
    ],
    [
      ...t.schedule.map((r, i) => [
        String(i + 1),
        r.dueDate,
        formatFenAsYuan(r.principalFen),
        formatFenAsYuan(r.interestFen),
        formatFenAsYuan(r.principalFen + r.interestFen),
      ]),
      [
        '合计',
        '',
        formatFenAsYuan(totals.p),
        formatFenAsYuan(totals.i),
        formatFenAsYuan(totals.p + totals.i),
      ],
    ],
    { size: 8.5 },
  );
  w.paragraph(
    `应还本金合计人民币（大写）${amountInChineseCapitals(totals.p)}；应还利息合计人民币（大写）${amountInChineseCapitals(totals.i)}。`,
    {
      size: 9,
      color: grey,
    },
  );

  if (g) {
    heading('保证担保');
    const fee =
      g.guarantee.feeRateBps === undefined
        ? ''
        : `丙方收取的担保费年费率为 ${formatBpsAsPercent(g.guarantee.feeRateBps)}。`;
    w.paragraph(
      `丙方为乙方在本合同项下 ${formatBpsAsPercent(g.guarantee.coverageBps)} 的借款本金及相应利息、罚息、实现债权的费用提供连带责任保证，保证期间为主债务履行期限届满之日起三年。${fee}乙方未按期足额还款的，甲方可以直接要求丙方承担保证责任；丙方代偿后，有权向乙方追偿。`,
      body,
    );

    heading('风险分担（“4321”政银担风险分担）');
    w.paragraph(
      `本笔借款纳入“${g.riskProgramme}”。发生代偿时，按照“先代偿、后分险”的原则，由丙方先行向甲方代偿，再由下列各方按约定比例分担损失；此后向乙方追偿所得，按同一比例分配给各方。风险分担是各分担方之间的安排，不减轻乙方的任何还款责任。`,
      body,
    );
    w.space(3);
    w.table(
      [
        { header: '分担方', width: 52 },
        { header: '身份', width: 28 },
        { header: '分担比例', width: 20, align: 'right' },
      ],
      g.riskShares.map((r) => [r.name, ROLE_LABELS[r.role], formatBpsAsPercent(r.bps)]),
      { size: 9 },
    );
  }

  heading('违约责任');
  w.paragraph(
    `乙方未按约定用途使用借款、未按期足额还款或有其他违约行为的，甲方有权要求乙方限期纠正、按有关规定计收罚息、宣布借款提前到期${g ? '，并要求丙方承担保证责任' : ''}。`,
    body,
  );

  const notaryClause = CLAUSE_NUMERALS[clause + 1]!;
  heading('争议解决（网络仲裁）');
  w.paragraph(
    `因本合同引起的或者与本合同有关的任何争议，各方同意提交${t.arbitration.institution}，按照申请仲裁时该会有效的网络仲裁规则，以网上仲裁方式解决（在线立案、在线送达、在线举证质证，在线开庭或书面审理）。仲裁裁决是终局的，对各方均有约束力。各方同意以本合同所载平台账户及联系方式作为送达地址。经公证赋予强制执行效力的债权，甲方亦可依照第${notaryClause}条直接申请强制执行。`,
    body,
  );

  const debtors = g ? '乙方、丙方' : '乙方';
  heading('同意办理赋予强制执行效力的公证（赋强公证）');
  w.paragraph(
    `各方同意就本合同共同向${t.notarization.notaryOffice}在线申请办理赋予强制执行效力的债权文书公证。${debtors}确认已知悉并理解公证机构在线告知的法律后果，并承诺：不履行或者不完全履行本合同约定的还款义务${g ? '或保证义务' : ''}时，自愿接受依法强制执行。届时甲方可以向该公证机构申请出具执行证书，公证机构依法向${debtors}核实履行情况，${debtors}应予配合；甲方可凭公证债权文书及执行证书直接向有管辖权的人民法院申请强制执行。`,
    body,
  );

  heading('电子签名与区块链存证');
  w.paragraph(
    `本合同通过${t.platform}以数据电文形式订立。各方以其所属机构在平台登记的 Ed25519 签名密钥，对本合同 PDF 文件的 SHA-256 摘要（32 字节）进行电子签名；摘要与各方签名记入平台账本的合同签署事件，并锚定于区块链。各方确认该电子签名由其专有控制、为其真实意思表示，依照《中华人民共和国电子签名法》，与手写签名或者盖章具有同等法律效力。任何一方均可重新计算本文件的 SHA-256，并与账本及链上记录比对，以核验本合同未被篡改。`,
    body,
  );

  heading('合同生效及其他');
  w.paragraph(
    `本合同自各方完成电子签名之日起生效，至本合同项下全部债务清偿完毕之日终止。还款计划表（第${scheduleClause}条）为本合同组成部分。本合同未尽事宜，依照有关法律法规及各方另行签订的书面协议执行。`,
    body,
  );

  w.space(16);
  w.ensureSpace(120);
  const signatories: [string, ContractParty][] = [
    ['甲方（贷款人）', t.lender],
    ['乙方（借款人）', t.borrower],
  ];
  if (g) signatories.push(['丙方（保证人）', g.guarantor]);
  for (const [title, p] of signatories) {
    w.paragraph(`${title}：${p.name}`, { size: 10, bold: true });
    w.paragraph('电子签名：见平台账本合同签署记录（对本文件 SHA-256 摘要的 Ed25519 签名）', {
      size: 9,
      color: grey,
    });
    w.space(6);
  }
  w.paragraph(`合同生成日期：${formatChineseDate(formatBeijingTime(t.draftedAt, false).slice(0, 10))}`, {
    size: 9,
    color: grey,
  });

  w.finish();
  return saveDeterministic(doc);
}

type ContractParty = LoanContractTerms['lender'];
const CLAUSE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];

/** The guarantee part of the terms, all present (a guaranteed loan) or undefined (a credit loan). */
function guaranteeOf(t: LoanContractTerms) {
  const { guarantor, guarantee, riskShares, riskProgramme } = t;
  return guarantor && guarantee && riskShares && riskProgramme
    ? { guarantor, guarantee, riskShares, riskProgramme }
    : undefined;
}

/** SHA-256 of the contract PDF's exact bytes, lowercase hex: what the ContractDrafted event records and parties sign. */
export const contractSha256 = (pdf: Uint8Array): string => createHash('sha256').update(pdf).digest('hex');
