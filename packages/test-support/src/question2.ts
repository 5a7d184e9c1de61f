// The Question 2 system of Assignment 9 in the three notations the parser reads, shared by the tests.
/** Question 2 of assignment 9, as the sheet writes it in ASCII. */
export const QUESTION_2_ASCII = `
    L  = 1/2 ||y - ŷ||^2
    y  = u3 + z2
    u3 = W3 z1
    z2 = f(u2)
    u2 = W2 x
    z1 = f(u1)
    u1 = W1 x
`;

export const QUESTION_2_UNICODE = `
L  = 1/2 ‖y − ŷ‖²
y  = u₃ + z₂
u₃ = W₃ z₁
z₂ = f(u₂)
u₂ = W₂ x
z₁ = f(u₁)
u₁ = W₁ x
`;

/** Question 2 as the sheet typesets it, verbatim. */
export const QUESTION_2_LATEX = String.raw`\begin{aligned}
\mathcal{L} &= \frac{1}{2}\left\|\boldsymbol{y}-\hat{\boldsymbol{y}}\right\|^2 \\
\boldsymbol{y} &= \boldsymbol{u}_3 + \boldsymbol{z}_2 \\
\boldsymbol{u}_3 &= \boldsymbol{W}_3 \boldsymbol{z}_1 \\
\boldsymbol{z}_2 &= f(\boldsymbol{u}_2) \\
\boldsymbol{u}_2 &= \boldsymbol{W}_2 \boldsymbol{x} \\
\boldsymbol{z}_1 &= f(\boldsymbol{u}_1) \\
\boldsymbol{u}_1 &= \boldsymbol{W}_1 \boldsymbol{x}
\end{aligned}`;
