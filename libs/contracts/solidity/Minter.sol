// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Manager, IController, IBondingManager} from "./Manager.sol";

/// Holds all bonded LPT and all ETH of the protocol; mints per-round rewards.
/// Percentages are in PERC9 (1e9 = 100 %).
contract Minter is Manager {
    uint256 private constant PERC9 = 1_000_000_000;

    uint256 public inflation;
    uint256 public inflationChange;
    uint256 public targetBondingRate;
    uint256 public currentMintableTokens;
    uint256 public currentMintedTokens;

    event SetCurrentRewardTokens(uint256 currentMintableTokens, uint256 currentInflation);

    constructor(address _controller, uint256 _inflation, uint256 _inflationChange, uint256 _targetBondingRate)
        Manager(_controller)
    {
        require(_inflation <= PERC9, "_inflation is invalid percentage");
        require(_inflationChange <= PERC9, "_inflationChange is invalid percentage");
        require(_targetBondingRate <= PERC9, "_targetBondingRate is invalid percentage");
        inflation = _inflation;
        inflationChange = _inflationChange;
        targetBondingRate = _targetBondingRate;
    }

    modifier onlyName(string memory _name, string memory _message) {
        require(msg.sender == _lookup(_name), _message);
        _;
    }

    function getController() external view returns (address) {
        return controller;
    }

    function setTargetBondingRate(uint256 _targetBondingRate) external onlyControllerOwner {
        require(_targetBondingRate <= PERC9, "_targetBondingRate is invalid percentage");
        targetBondingRate = _targetBondingRate;
        emit ParameterUpdate("targetBondingRate");
    }

    function setInflationChange(uint256 _inflationChange) external onlyControllerOwner {
        require(_inflationChange <= PERC9, "_inflationChange is invalid percentage");
        inflationChange = _inflationChange;
        emit ParameterUpdate("inflationChange");
    }

    function createReward(uint256 _fracNum, uint256 _fracDenom)
        external
        onlyName("BondingManager", "msg.sender not BondingManager")
        whenSystemNotPaused
        returns (uint256)
    {
        uint256 mintAmount = (currentMintableTokens * ((_fracNum * PERC9) / _fracDenom)) / PERC9;
        currentMintedTokens += mintAmount;
        require(currentMintedTokens <= currentMintableTokens, "minted tokens cannot exceed mintable tokens");
        _token().mint(address(this), mintAmount);
        return mintAmount;
    }

    function trustedTransferTokens(address _to, uint256 _amount)
        external
        onlyName("BondingManager", "msg.sender not BondingManager")
        whenSystemNotPaused
    {
        require(_token().transfer(_to, _amount), "token transfer failed");
    }

    function trustedWithdrawETH(address payable _to, uint256 _amount) external whenSystemNotPaused {
        require(
            msg.sender == _lookup("BondingManager") || msg.sender == _lookup("JobsManager"),
            "msg.sender not BondingManager or JobsManager"
        );
        (bool ok, ) = _to.call{value: _amount}("");
        require(ok, "ETH transfer failed");
    }

    function depositETH() external payable returns (bool) {
        require(msg.sender == address(this) || msg.sender == _lookup("JobsManager"), "msg.sender not Minter or JobsManager");
        return true;
    }

    function setCurrentRewardTokens()
        external
        onlyName("RoundsManager", "msg.sender not RoundsManager")
        whenSystemNotPaused
    {
        uint256 supply = getGlobalTotalSupply();
        uint256 bondingRate = supply > 0 ? (_bondingManager().getTotalBonded() * PERC9) / supply : 0;
        if (bondingRate < targetBondingRate) {
            inflation += inflationChange;
        } else if (bondingRate > targetBondingRate) {
            inflation = inflationChange > inflation ? 0 : inflation - inflationChange;
        }
        currentMintableTokens = (supply * inflation) / PERC9;
        currentMintedTokens = 0;
        emit SetCurrentRewardTokens(currentMintableTokens, inflation);
    }

    /// Devnet: no L1 circulating supply, so this is the L2 totalSupply.
    function getGlobalTotalSupply() public view returns (uint256) {
        return _token().totalSupply();
    }
}
