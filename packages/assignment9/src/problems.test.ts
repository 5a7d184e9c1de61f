import { readFileSync } from 'node:fs';
import { QUESTION_2_ASCII, QUESTION_2_LATEX as SHEET_LATEX, q3Problem } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { POINTS, QUESTION_2_LATEX, QUESTIONS, assignmentQ3Problem, questionProblem, standInQ1Network } from './index.ts';

describe('Assignment 9 content', () => {
  it('holds the numbers of Question 3 as the sheet prints them', () => {
    const sheet = q3Problem();
    const problem = assignmentQ3Problem();
    expect(problem.values).toEqual(sheet.values);
    expect(problem.wrt).toEqual(['W1', 'W2', 'W3']);
    expect(problem.functions).toEqual({ f: 'relu' });
  });

  it('gives the points of the sheet: 6 + 7 + 7', () => {
    expect(QUESTIONS).toEqual(['q1', 'q2', 'q3']);
    expect(POINTS).toEqual({ q1: 6, q2: 7, q3: 7 });
  });

  it('has the stand-in network of Question 1 with the target ŷ = [0, 1], and says it is a stand-in', () => {
    const network = standInQ1Network();
    expect(network.target).toEqual([0, 1]);
    expect(network.standIn).toMatch(/not available/);
    expect(questionProblem('q1').equations.length).toBeGreaterThan(2);
  });

  it('writes the Question 2 system as the sheet typesets it, one equation per ASCII line', () => {
    const lines = QUESTION_2_LATEX.split('\\\\');
    expect(lines).toHaveLength(QUESTION_2_ASCII.trim().split('\n').length);
    expect(QUESTION_2_LATEX).toMatch(/^\\begin\{aligned\}/);
    // The shipped copy is the sheet's text (test-support holds it as the tests' reference), and so is examples/q2.tex.
    expect(QUESTION_2_LATEX).toBe(SHEET_LATEX);
    expect(readFileSync(new URL('../../../examples/q2.tex', import.meta.url), 'utf8').trimEnd()).toBe(SHEET_LATEX);
  });
});
