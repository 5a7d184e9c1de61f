/** Question 2's network as the sheet typesets it, verbatim (bundled as a string: no file is read at run time). */
export const QUESTION_2_LATEX = String.raw`\begin{aligned}
\mathcal{L} &= \frac{1}{2}\left\|\boldsymbol{y}-\hat{\boldsymbol{y}}\right\|^2 \\
\boldsymbol{y} &= \boldsymbol{u}_3 + \boldsymbol{z}_2 \\
\boldsymbol{u}_3 &= \boldsymbol{W}_3 \boldsymbol{z}_1 \\
\boldsymbol{z}_2 &= f(\boldsymbol{u}_2) \\
\boldsymbol{u}_2 &= \boldsymbol{W}_2 \boldsymbol{x} \\
\boldsymbol{z}_1 &= f(\boldsymbol{u}_1) \\
\boldsymbol{u}_1 &= \boldsymbol{W}_1 \boldsymbol{x}
\end{aligned}`;
