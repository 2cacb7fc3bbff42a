"""The council's rhythm (issue 19), on top of the store and the analysis:

- :mod:`.weekly` the weekly lägesbild (counts against usual weeks, new observations,
  measures due, walks) and the next week's task list per actor;
- :mod:`.survey` the monthly actor survey with personal links that need no account.

Every write is audited in its own transaction; reads check the role.
"""
