/**
 * @chainrule/assignment9 — the content of the course's Assignment 9: which questions there are,
 * their points, the stand-in network of Question 1, the problem of Questions 2 and 3 and the
 * sheet's LaTeX of Question 2. No renderer, no grader: those packages read from here.
 */
export { POINTS, QUESTIONS, type Question, assignmentQ3Problem, questionProblem, standInQ1Network } from './problems.ts';
export { QUESTION_2_LATEX } from './sheet-latex.ts';
