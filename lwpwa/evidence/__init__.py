"""Evidence for the notices: activity photos from the phones, the unit's evidence package
(佐证材料: the table, sign-in sheets, photos, news links, 工作总结 and 典型案例 drafts) and the
plans (实施方案) handed in against the campaign's plan due date."""
