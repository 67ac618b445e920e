import { rgb } from 'pdf-lib';
import { amountInChineseCapitals, formatFenAsYuan } from './chineseAmount.ts';
import { certificateInputSchema, type CertificateInput } from './certificateInput.ts';
import { embedCjkFonts } from './fonts.ts';
import { ANCHOR_STATUS_LABELS, ROLE_LABELS, formatBeijingTime, hexToBase64 } from './labels.ts';
import { A4, MARGINS, PdfWriter } from './layout.ts';
import { contentHash, createDeterministicDocument, saveDeterministic } from './pdfDocument.ts';
import { drawQrCode } from './qr.ts';
import { parseInput } from './validate.ts';

/**
 * 电子数据存证证书: the evidence bundle's facts in words for a judge, arbitrator or notary. It restates
 * what the bundle proves and says how to check it without trusting us; the bundle (whose SHA-256 is
 * printed and QR-encoded here) and the chain remain the evidence.
 */
export async function renderEvidenceCertificate(input: CertificateInput): Promise<Uint8Array> {
  const c = parseInput(certificateInputSchema, input, 'certificate input');
  const seed = contentHash(c);
  const doc = await createDeterministicDocument({
    title: `电子数据存证证书 ${c.certificateNo}`,
    subject: `贷款 ${c.loan.id} 的区块链存证证书；证据包 SHA-256 ${c.bundle.sha256}`,
    createdAt: c.issuedAt,
    keywords: ['存证证书', c.certificateNo, c.loan.id, c.bundle.sha256],
  });
  const fonts = await embedCjkFonts(doc, seed);
  const w = new PdfWriter(
    doc,
    fonts,
    `证书编号 ${c.certificateNo}　证据包 SHA-256 ${c.bundle.sha256.slice(0, 16)}…`,
  );

  // Title block, with the QR code of the bundle hash at the top right.
  const qrSize = 92;
  drawQrCode(w.currentPage, c.bundle.sha256, {
    x: A4.width - MARGINS.right - qrSize,
    y: A4.height - MARGINS.top - qrSize + 14,
    size: qrSize,
  });
  w.space(10);
  w.paragraph('电子数据存证证书', { size: 22, bold: true });
  w.paragraph('Electronic Data Preservation Certificate (blockchain-anchored evidence)', {
    size: 9,
    color: rgb(0.35, 0.35, 0.35),
  });
  w.space(6);
  w.fields([
    ['证书编号', c.certificateNo],
    ['出具方', c.issuer],
    ['出具时间', `${formatBeijingTime(c.issuedAt, false)}（北京时间）`],
  ]);
  w.space(12);

  w.heading('一、当事人');
  w.table(
    [
      { header: '身份', width: 22 },
      { header: '名称', width: 50 },
      { header: '统一社会信用代码', width: 28 },
    ],
    c.parties.map((p) => [ROLE_LABELS[p.role], p.name, p.uscc ?? '—']),
    { size: 9 },
  );

  w.heading('二、借款');
  const loanRows: [string, string][] = [
    ['借款编号', c.loan.id],
    ['借款金额（小写）', `¥${formatFenAsYuan(c.loan.amountFen)}`],
    ['借款金额（大写）', `人民币${amountInChineseCapitals(c.loan.amountFen)}`],
  ];
  if (c.loan.productName) loanRows.push(['贷款产品', c.loan.productName]);
  if (c.loan.termMonths) loanRows.push(['借款期限', `${c.loan.termMonths} 个月`]);
  if (c.loan.contractSha256) loanRows.push(['借款合同 SHA-256', c.loan.contractSha256]);
  w.fields(loanRows);

  w.heading(`三、存证事件（共 ${c.events.length} 条）`);
  w.paragraph(
    '下表每一行是账本中一条已记录的事件。“日志序号”是该事件在 Merkle 日志中的位置；“叶哈希”为 SHA-256(0x00 ‖ 事件的规范化 JSON 字节)（RFC 9162），可由证据包中的事件原文重新计算。时间为北京时间（UTC+8）。',
    { size: 8.5, color: rgb(0.3, 0.3, 0.3) },
  );
  w.space(3);
  w.table(
    [
      { header: '序号', width: 4.5, align: 'right' },
      { header: '记录时间', width: 13.5 },
      { header: '事件', width: 16 },
      { header: '操作方', width: 27 },
      { header: '日志序号', width: 9, align: 'right' },
      { header: '叶哈希（SHA-256）', width: 30 },
    ],
    c.events.map((e, i) => [
      String(i + 1),
      formatBeijingTime(e.recordedAt),
      e.label ? `${e.label}\n${e.type}` : e.type,
      `${e.actor.name ?? e.actor.org}\n（${ROLE_LABELS[e.actor.role]}）`,
      String(e.logIndex),
      e.leafHash,
    ]),
    { size: 7.5 },
  );

  w.heading('四、签名检查点');
  w.fields([
    ['日志标识（origin）', c.checkpoint.origin],
    ['日志大小（tree size）', String(c.checkpoint.treeSize)],
    ['根哈希（hex）', c.checkpoint.rootHash],
    ['根哈希（base64）', hexToBase64(c.checkpoint.rootHash)],
    [
      '签名方',
      c.checkpoint.signers.length === 0
        ? '—'
        : c.checkpoint.signers.map((s) => (s.keyId ? `${s.name}（密钥 ${s.keyId}）` : s.name)).join('；'),
    ],
  ]);
  w.paragraph(
    '检查点是日志在某一时刻全部内容的承诺：上表中的每一条事件都可以用证据包中的包含证明（inclusion proof）计算到此根哈希；检查点由日志以 Ed25519 签名（C2SP signed note 格式），见证方可另行联署。',
    { size: 8.5, color: rgb(0.3, 0.3, 0.3) },
  );

  w.heading('五、区块链锚定');
  const a = c.anchor;
  const anchorRows: [string, string][] = [
    ['链', a.chainName ? `${a.chainName}（chain id ${a.chainId}）` : `chain id ${a.chainId}`],
    ['锚定合约', a.contract],
    ['交易哈希', a.txHash],
    ['区块高度', String(a.blockNumber)],
  ];
  if (a.blockHash) anchorRows.push(['区块哈希', a.blockHash]);
  anchorRows.push(['区块时间', `${formatBeijingTime(a.blockTime, false)}（北京时间）`]);
  anchorRows.push([
    '确认状态',
    a.confirmations === undefined
      ? ANCHOR_STATUS_LABELS[a.status]
      : `${ANCHOR_STATUS_LABELS[a.status]}，确认数 ${a.confirmations}`,
  ]);
  w.fields(anchorRows);
  w.paragraph(
    `该交易调用锚定合约的 anchor 方法，将上述日志标识、日志大小 ${c.checkpoint.treeSize} 与根哈希写入链上，并产生 Anchored 日志；合约拒绝不增长的日志大小。`,
    { size: 8.5, color: rgb(0.3, 0.3, 0.3) },
  );

  w.heading('六、证据包');
  const bundleRows: [string, string][] = [['证据包 SHA-256', c.bundle.sha256]];
  if (c.bundle.fileName) bundleRows.unshift(['文件名', c.bundle.fileName]);
  w.fields(bundleRows);
  w.paragraph('本证书首页右上角二维码的内容即为证据包的 SHA-256 值（64 位十六进制）。', {
    size: 8.5,
    color: rgb(0.3, 0.3, 0.3),
  });

  w.heading('七、如何独立核验');
  const rpc = c.verification?.rpcUrl ?? '<链节点 RPC 地址>';
  for (const line of [
    `1. 计算收到的证据包文件的 SHA-256（例如 sha256sum ${c.bundle.fileName ?? 'bundle.json'}），应与本证书所载的值一致；不一致即说明文件不是本证书所指的证据包。`,
    `2. 使用开源命令行工具核验：loan-ledger verify ${c.bundle.fileName ?? 'bundle.json'} --rpc ${rpc}。工具逐项显示“✓ 通过”或“不通过”及原因：证据包格式、每条事件的规范化字节与哈希、每个包含证明、检查点签名、一致性证明，以及链上交易是否存在且成功、是否调用了上述合约、Anchored 日志中的根哈希与日志大小是否一致、区块哈希是否一致、区块是否已最终确认。全部通过时退出码为 0。核验无需访问本平台的服务器或数据库。`,
    `3. 也可不使用本平台的任何软件，按公开规范（证据包格式 loan-ledger/evidence/v1，见 docs/evidence-format.md${c.verification?.specUrl ? `，${c.verification.specUrl}` : ''}）自行实现：事件按 RFC 8785 规范化为 JSON 字节，叶哈希为 SHA-256(0x00 ‖ 字节)，内部节点为 SHA-256(0x01 ‖ 左 ‖ 右)（RFC 9162），用包含证明算出根哈希，与检查点及链上 Anchored 日志中的根哈希比对。`,
  ]) {
    w.paragraph(line, { size: 9 }, 0);
    w.space(2);
  }

  w.heading('八、法律依据（条文大意）');
  for (const line of [
    '1. 《最高人民法院关于互联网法院审理案件若干问题的规定》第十一条：当事人提交的电子数据，通过电子签名、可信时间戳、哈希值校验、区块链等证据收集、固定和防篡改的技术手段或者通过电子取证存证平台认证，能够证明其真实性的，应当确认。',
    '2. 《人民法院在线诉讼规则》（2021年8月1日起施行）第十六条：当事人作为证据提交的电子数据系通过区块链技术存储，并经技术核验一致的，人民法院可以认定该电子数据上链后未经篡改，但有相反证据足以推翻的除外。',
    '3. 同规则第十七条：对方当事人提出异议并说明理由的，人民法院审查存证平台是否符合国家有关部门的相关规定、当事人与存证平台是否存在利害关系、存证系统是否安全可靠、存证技术和过程是否符合相关国家标准或者行业标准。第十八条：当事人还应当说明电子数据上链存储前的来源与生成情况。本平台的事件在记录时即写入日志并定期锚定，事件原文、记录时间与操作方均载于证据包。',
    '4. 相关技术规范：SF/T 0076-2020《电子数据存证技术规范》。本证书为证据包的可读摘要；核验以可重新计算的哈希、签名与链上记录为准。',
  ]) {
    w.paragraph(line, { size: 9 });
    w.space(2);
  }

  w.space(10);
  w.ensureSpace(40);
  w.paragraph(`出具方：${c.issuer}`, { size: 10, bold: true });
  w.paragraph(`日期：${formatBeijingTime(c.issuedAt, false).slice(0, 10)}`, { size: 10 });

  w.finish();
  return saveDeterministic(doc);
}
