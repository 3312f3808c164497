/** Evaluation of retrieval engines: the paper's R@n protocol, the AVSS 2018 protocol, breakdowns. */
export * from './types';
export { iou, iouInclusive, toChallengeBox } from './iou';
export { paperProtocol, recallCells, bestIoUInTopN, isHit, findCell } from './paper';
export { avssProtocol, aggregateAvss, avssItemIoU } from './avss';
export { attributeBreakdown, absentHandling } from './breakdown';
export { conditionBreakdown } from './conditions';
export { scoredItems } from './lookup';
export { buildEvalReport } from './report';
export { formatEvalMarkdown } from './markdown';
export { evaluateDataset, toEvalFrame, toEvalQueries } from './evaluateDataset';
