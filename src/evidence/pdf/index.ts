/** Public API of the evidence PDFs (certificate, contract, contract signatures). See docs/certificates.md. */
export { renderEvidenceCertificate } from './certificate.ts';
export { certificateInputSchema, type CertificateInput, type CertificateEvent } from './certificateInput.ts';
export { renderLoanContract, contractSha256 } from './contract.ts';
export { loanContractTermsSchema, type LoanContractTerms, type ScheduleRow } from './contractTerms.ts';
export { signContractHash, verifyContractSignature } from './contractSignature.ts';
export { amountInChineseCapitals, formatBpsAsPercent, formatFenAsYuan } from './chineseAmount.ts';
