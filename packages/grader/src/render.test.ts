import { describe, expect, it } from 'vitest';
import { gradeSubmission } from './grade.ts';
import { q3ByHand, q3Submission } from '@chainrule/test-support';
import { gradeReportJson, renderGradeReport } from './render.ts';

const slipped = q3ByHand({ round: 2, tweak: { u1: (v) => [v[0]!, 4, v[2]!] } });
const { z2: _z2, ...values } = q3Submission(slipped).values;
const report = gradeSubmission('q3', { ...q3Submission(slipped), values });

describe('renderGradeReport', () => {
  it('text: the mode, the first wrong step, every status with its numbers, the points', () => {
    const text = renderGradeReport(report, 'text');
    expect(text).toContain('Grade of q3 — rounded to 2 decimals at every step');
    expect(text).toContain('First wrong: u1 (line 7: u1 = W1 x)');
    expect(text).toContain('Points: 6.25 / 7');
    expect(text).toMatch(/✗ wrong +u1 = W1 x +\[0 \/ 0\.5\]/);
    expect(text).toContain('u1[1]: expected 3.9, given 4');
    expect(text).toMatch(/↪ carried +u3 = W3 z1/);
    expect(text).toContain('from yours [5.18, 2.71]');
    expect(text).toMatch(/✓ correct +u2 = W2 x +\[3\.7, 3\.25\] +\[0\.5 \/ 0\.5\]/);
    expect(text).toMatch(/· missing +z2 = f\(u2\) +\[0 \/ 0\.25\]/);
    expect(text).not.toMatch(/ +\n/);
  });

  it('markdown: a table with escaped pipes, and what is wrong', () => {
    const markdown = renderGradeReport(report, 'markdown');
    expect(markdown).toContain('**First wrong:** `u1` (line 7: `u1 = W1 x`)');
    expect(markdown).toContain('| 1 | `u1 = W1 x` | ✗ wrong | [2.55, 3.9, 2.5] | [2.55, 4, 2.5] | 0 / 0.5 |');
    expect(markdown).toContain('`L = 1/2 \\|\\|y - ŷ\\|\\|^2` | ↪ carried | 48.24 (from yours: 48.81) | 48.81 | 0.5 / 0.5 |');
    expect(markdown).toContain('| · missing | [3.7, 3.25] | — | 0 / 0.25 |');
    expect(markdown).toContain('- u1[1]: expected 3.9, given 4');
    // Every table row has the same number of unescaped cell separators.
    const rows = markdown.split('\n').filter((line) => line.startsWith('|'));
    const cells = rows.map((row) => row.split(/(?<!\\)\|/).length);
    expect(new Set(cells).size).toBe(1);
  });

  it('json: firstWrong is the name, items map names to status, expected and given', () => {
    const json = JSON.parse(renderGradeReport(report, 'json'));
    expect(json.firstWrong).toBe('u1');
    expect(json.firstWrongStep).toEqual({ step: 'u1 = W1 x', line: 7 });
    expect(json.mode).toEqual({ round: 2 });
    expect(json.items.u1).toMatchObject({ status: 'wrong', expected: [2.55, 3.9, 2.5], given: [2.55, 4, 2.5] });
    expect(json.items.u3).toMatchObject({ status: 'carried', expected: [5.13, 2.68], exact: [5.125, 2.68], given: [5.18, 2.71], recomputed: [5.18, 2.71] });
    expect(json.items.z2).toMatchObject({ status: 'missing', expected: [3.7, 3.25] });
    expect(json.items.z2.given).toBeUndefined();
    expect(json.points).toEqual({ earned: 6.25, total: 7 });
    expect(json).toEqual(JSON.parse(JSON.stringify(gradeReportJson(report))));
  });

  it('json: firstWrong is null when nothing is wrong', () => {
    const json = JSON.parse(renderGradeReport(gradeSubmission('q3', {}), 'json'));
    expect(json.firstWrong).toBeNull();
    expect(json.firstWrongStep).toBeNull();
  });

  it('refuses an unknown format', () => {
    expect(() => renderGradeReport(report, 'html' as 'text')).toThrow(/unknown report format 'html'/);
  });

  it('says when Q1 is graded against the stand-in network', () => {
    const q1 = gradeSubmission('q1', {});
    expect(renderGradeReport(q1, 'text')).toMatch(/^Note: The slides 73\/74 of the lecture are not available/m);
    expect(renderGradeReport(q1, 'markdown')).toMatch(/^> The slides 73\/74/m);
  });
});
