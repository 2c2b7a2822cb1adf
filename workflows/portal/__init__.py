"""The online door (issue 20): applications made on /apply or filed by a 政务服务网 through the API
(submissions.py), and the applicant's own page — a sign-in with the 查询码 and a code sent to the phone or e-mail of
the application, the progress, the papers served, correction, withdrawal and downloads (applicant_desk.py).

The applicant is no user: the steps are recorded as `applicant` (workflows/people/accounts.py APPLICANT_ONLINE),
which may record only its own steps (workflows/people/access.py ONLINE_STEPS) on the request the desk opened.
Messages to the applicant (codes, milestones) are written to the outbox by notifications/ through the `send`
callable bootstrap hands in: workflows/ never imports notifications/.
"""
